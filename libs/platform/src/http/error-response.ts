import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { DATABASE_ERRORS } from '../database/database-errors';
import { ERROR_CODES, ServiceError, type RequestIssue } from './service-error';

/** `code` → HTTP status. The platform's defaults; a service adds its own codes. */
export type ErrorStatusMap = Readonly<Record<string, number>>;

export const DEFAULT_ERROR_STATUSES: ErrorStatusMap = {
  [ERROR_CODES.VALIDATION_FAILED]: 400,
  [ERROR_CODES.INVALID_JSON]: 400,
  [ERROR_CODES.BAD_REQUEST]: 400,
  [ERROR_CODES.CONTRACT_VIOLATION]: 400,
  [ERROR_CODES.NOT_FOUND]: 404,
  [ERROR_CODES.METHOD_NOT_ALLOWED]: 405,
  [ERROR_CODES.CONFLICT]: 409,
  [ERROR_CODES.PAYLOAD_TOO_LARGE]: 413,
  [ERROR_CODES.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ERROR_CODES.UNPROCESSABLE]: 422,
  [ERROR_CODES.RATE_LIMITED]: 429,
  [ERROR_CODES.UNAVAILABLE]: 503,
  [DATABASE_ERRORS.UNAVAILABLE]: 503,
  [DATABASE_ERRORS.UNSUPPORTED_VALUE]: 400,
};

/** The JSON body of every error response: no stack, no internals, always the same fields. */
export interface ErrorBody {
  statusCode: number;
  /** The status' reason phrase, e.g. `Bad Request`. */
  error: string;
  code: string;
  message: string;
  /** Whether sending the same request again later may succeed. */
  retryable: boolean;
  issues?: RequestIssue[];
}

export interface ErrorResponse {
  status: number;
  /** ErrorBody, or the body a Nest HttpException was given on purpose (e.g. a health report). */
  body: ErrorBody;
  headers: Record<string, string>;
  /** A fault of the service itself (500): log it with its stack; the client sees a generic message. */
  internal: boolean;
  /** The thrower chose the body (not our ErrorBody shape): sent as it is, and not logged. */
  deliberate?: boolean;
}

const STATUS_CODE_NAMES: Readonly<Record<number, string>> = {
  400: ERROR_CODES.BAD_REQUEST,
  404: ERROR_CODES.NOT_FOUND,
  405: ERROR_CODES.METHOD_NOT_ALLOWED,
  409: ERROR_CODES.CONFLICT,
  413: ERROR_CODES.PAYLOAD_TOO_LARGE,
  415: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
  422: ERROR_CODES.UNPROCESSABLE,
  429: ERROR_CODES.RATE_LIMITED,
  503: ERROR_CODES.UNAVAILABLE,
};

const INTERNAL_MESSAGE = 'internal error; the request may be retried later';

interface DeclaredError extends Error {
  code: string;
  retryable: boolean;
  issues?: readonly unknown[];
  retryAfterSeconds?: number;
}

/**
 * Turns anything a handler or a Fastify hook threw into the response the client gets:
 * declared errors (`code` + `retryable`) by `statuses`, Nest HttpExceptions and Fastify's
 * own 4xx errors by their status, everything else a 500 whose details stay in the log.
 */
export function toErrorResponse(
  error: unknown,
  statuses: ErrorStatusMap = DEFAULT_ERROR_STATUSES,
): ErrorResponse {
  if (isDeclared(error)) return fromDeclared(error, statuses);
  if (error instanceof HttpException) return fromHttpException(error);
  const status = clientStatusOf(error);
  if (status !== undefined && error instanceof Error) {
    const code = error instanceof SyntaxError ? ERROR_CODES.INVALID_JSON : codeForStatus(status);
    return build(status, code, error.message, status === 429);
  }
  return internal();
}

/** The code the platform uses for a status without a more specific one (`HTTP_418` otherwise). */
export function codeForStatus(status: number): string {
  return STATUS_CODE_NAMES[status] ?? (status >= 500 ? ERROR_CODES.INTERNAL : `HTTP_${status}`);
}

function fromDeclared(error: DeclaredError, statuses: ErrorStatusMap): ErrorResponse {
  const mapped = statuses[error.code] ?? DEFAULT_ERROR_STATUSES[error.code];
  // An unknown retryable code is a dependency that failed (503); an unknown permanent one is our bug.
  const status = mapped ?? (error.retryable ? 503 : 500);
  if (status === 500) return internal();
  const response = build(status, error.code, error.message, error.retryable);
  const issues = toIssues(error.issues);
  if (issues.length > 0) response.body.issues = issues;
  const retryAfter = error.retryAfterSeconds ?? (status === 503 ? 1 : undefined);
  if (retryAfter !== undefined) response.headers['retry-after'] = String(retryAfter);
  return response;
}

function fromHttpException(error: HttpException): ErrorResponse {
  const status = error.getStatus();
  if (status >= 500 && status !== 503) return internal();
  const payload = error.getResponse();
  if (typeof payload === 'object' && payload !== null && !('message' in payload)) {
    // A body built on purpose (terminus' readiness report names the dependency that is down).
    return { status, body: payload as ErrorBody, headers: {}, internal: false, deliberate: true };
  }
  let message = error.message;
  if (typeof payload === 'object' && payload !== null && 'message' in payload) {
    const inner = (payload as { message: unknown }).message;
    if (typeof inner === 'string') message = inner;
    else if (Array.isArray(inner)) message = inner.map(String).join('; ');
  }
  return build(status, codeForStatus(status), message, status === 429 || status === 503);
}

function build(status: number, code: string, message: string, retryable: boolean): ErrorResponse {
  return {
    status,
    body: { statusCode: status, error: STATUS_CODES[status] ?? 'Error', code, message, retryable },
    headers: {},
    internal: false,
  };
}

function internal(): ErrorResponse {
  return { ...build(500, ERROR_CODES.INTERNAL, INTERNAL_MESSAGE, true), internal: true };
}

function isDeclared(error: unknown): error is DeclaredError {
  if (!(error instanceof Error)) return false;
  const candidate = error as Partial<DeclaredError>;
  return (
    error instanceof ServiceError ||
    (typeof candidate.code === 'string' && typeof candidate.retryable === 'boolean')
  );
}

/** Fastify and its plugins throw errors with a `statusCode`; only 4xx ones are the client's. */
function clientStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** Accepts our issues (`reason`) and the contracts library's (`message`). */
function toIssues(raw: readonly unknown[] | undefined): RequestIssue[] {
  if (raw === undefined) return [];
  return raw.flatMap((item): RequestIssue[] => {
    if (typeof item !== 'object' || item === null) return [];
    const { path, reason, message, code } = item as Record<string, unknown>;
    const text = typeof reason === 'string' ? reason : typeof message === 'string' ? message : '';
    const issue: RequestIssue = {
      path: typeof path === 'string' ? path : '',
      reason: text,
      ...(typeof code === 'string' ? { code } : {}),
    };
    return [issue];
  });
}
