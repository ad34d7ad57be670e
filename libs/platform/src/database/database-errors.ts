import { DependencyUnavailableError, ServiceError } from '../http/service-error';
import { QueryFailedError } from 'typeorm';

export const DATABASE_ERRORS = {
  UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /** A value Postgres cannot store (a NUL character in text, say): the client's input, a 400. */
  UNSUPPORTED_VALUE: 'UNSUPPORTED_VALUE',
} as const;

/** SQLSTATE of a failed query (`23505` unique violation…), if the error came from Postgres. */
export function sqlStateOf(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs a database call and translates what can go wrong into errors the HTTP edge understands:
 * Postgres down or not yet connected → 503 (retryable); a value Postgres refuses (SQLSTATE
 * class 22, data exception) → 400. Anything else is rethrown as it is.
 */
export async function withDatabaseErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

/** The error `withDatabaseErrors` throws for `error`. */
export function translateDatabaseError(error: unknown): unknown {
  const state = sqlStateOf(error);
  if (state?.startsWith('22')) {
    return new ServiceError(
      DATABASE_ERRORS.UNSUPPORTED_VALUE,
      'a value cannot be stored (text with a NUL character, a number out of range…)',
    );
  }
  if (state !== undefined) {
    // Connection exceptions (08), operator intervention (57: shutdown), insufficient resources (53),
    // and a table not there yet (42P01: the migrations are still running at start).
    if (/^(08|57|53)/.test(state) || state === '42P01') return unavailable(error);
    return error;
  }
  if (error instanceof Error && isConnectionProblem(error)) return unavailable(error);
  return error;
}

function isConnectionProblem(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    error.name === 'CannotExecuteNotConnectedError' ||
    /not (yet )?(established|initialized|connected)|Connection terminated|timeout exceeded when trying to connect/i.test(
      error.message,
    ) ||
    (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND)$/.test(code))
  );
}

function unavailable(error: unknown): DependencyUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DependencyUnavailableError(
    DATABASE_ERRORS.UNAVAILABLE,
    `Postgres is unavailable: ${reason}`,
    {
      cause: error,
    },
  );
}
