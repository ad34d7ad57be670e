/**
 * Errors that handlers throw carry a code and say whether a retry can help. The Kafka
 * failure policy routes on `retryable`: true → `<topic>.retry`, false → `<topic>.dlq`.
 */
export class ProcessingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A failure that may pass on a later attempt (a timeout, a dependency that is down). */
export class RetryableError extends ProcessingError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, true, options);
  }
}

/** A failure no retry can fix (bad input, a broken invariant). */
export class NonRetryableError extends ProcessingError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, false, options);
  }
}

/** What the failure policy needs to know of any thrown value. */
export interface ErrorClassification {
  code: string;
  retryable: boolean;
  /** The error's class name, for the `dlq.error.class` header. */
  errorClass: string;
  message: string;
}

/**
 * Classifies anything a handler threw. Errors that declare `code` and `retryable`
 * (ours, and the contracts library's ContractViolationError) are taken at their word;
 * anything else is treated as retryable, since an unknown failure is more often a
 * passing fault than a bad record, and the retry path ends in the DLQ anyway.
 */
export function classifyError(error: unknown): ErrorClassification {
  if (error instanceof Error) {
    const declared = error as Error & { code?: unknown; retryable?: unknown };
    return {
      code: typeof declared.code === 'string' ? declared.code : 'UNEXPECTED',
      retryable: typeof declared.retryable === 'boolean' ? declared.retryable : true,
      errorClass: error.name || error.constructor.name,
      message: error.message,
    };
  }
  return { code: 'UNEXPECTED', retryable: true, errorClass: typeof error, message: String(error) };
}
