/** One faulty field of a request: dotted `path` (`''` for the whole body) and why it is wrong. */
export interface RequestIssue {
  readonly path: string;
  readonly reason: string;
  /** A machine-readable kind (`invalid_type`, `too_big`, `unknown_field`…), when known. */
  readonly code?: string;
}

/**
 * A failure with a stable `code` and whether a retry can help. Use cases throw these (never
 * HTTP exceptions); the HTTP edge maps codes to statuses in one place (HttpErrorFilter).
 */
export class ServiceError extends Error {
  /** Field-level faults, rendered as `issues` in the response body. */
  readonly issues: readonly RequestIssue[] | undefined;
  /** When set, responses carry `Retry-After` with this many seconds. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: string,
    message: string,
    readonly retryable = false,
    options?: { cause?: unknown; issues?: readonly RequestIssue[]; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.issues = options?.issues;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** The request breaks its contract: 400 with the path and reason of each fault. */
export class RequestValidationError extends ServiceError {
  constructor(issues: readonly RequestIssue[], message?: string) {
    super(ERROR_CODES.VALIDATION_FAILED, message ?? summarize(issues), false, { issues });
  }
}

/** The body is larger than the endpoint accepts (bytes or records). */
export class PayloadTooLargeError extends ServiceError {
  constructor(message: string) {
    super(ERROR_CODES.PAYLOAD_TOO_LARGE, message);
  }
}

/** The body's media type is not one the endpoint reads. */
export class UnsupportedMediaTypeError extends ServiceError {
  constructor(received: string | undefined, accepted: readonly string[]) {
    super(
      ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
      `content-type ${received ? `"${received}"` : '(none)'} is not accepted; use ${accepted.join(' or ')}`,
    );
  }
}

/** A dependency (a broker, the database) did not answer in time: the client may retry. */
export class DependencyUnavailableError extends ServiceError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, true, { ...options, retryAfterSeconds: 1 });
  }
}

/** Codes the platform itself raises or recognises; services add their own with their statuses. */
export const ERROR_CODES = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  INVALID_JSON: 'INVALID_JSON',
  BAD_REQUEST: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNPROCESSABLE: 'UNPROCESSABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  CONTRACT_VIOLATION: 'CONTRACT_VIOLATION',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

function summarize(issues: readonly RequestIssue[]): string {
  const first = issues[0];
  if (first === undefined) return 'the request is invalid';
  const where = first.path === '' ? 'body' : first.path;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${where}: ${first.reason}${more}`;
}
