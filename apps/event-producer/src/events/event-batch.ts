import {
  MAX_JSON_DEPTH,
  PayloadTooLargeError,
  RequestValidationError,
  assertJsonDepth,
} from '@streamline/platform';

/** At most this many records per request (and 1 MiB, checked on the body). */
export const MAX_RECORDS_PER_REQUEST = 500;
export const MAX_BODY_BYTES = 1024 * 1024;

/** A body's records: one object (`single`) or an array of them. */
export interface RecordList {
  single: boolean;
  items: unknown[];
}

/**
 * Splits a body into its records: an object is one record, an array is a batch of 1 to
 * MAX_RECORDS_PER_REQUEST (more is a 413). Anything else is a 400.
 */
export function recordsOf(body: unknown, what = 'event'): RecordList {
  checkDepth(body);
  if (Array.isArray(body)) {
    if (body.length === 0) {
      throw new RequestValidationError([
        { path: '', reason: `a batch needs at least one ${what}`, code: 'too_small' },
      ]);
    }
    checkCount(body.length, what);
    return { single: false, items: body };
  }
  if (typeof body === 'object' && body !== null) return { single: true, items: [body] };
  throw new RequestValidationError([
    {
      path: '',
      reason: `the body must be an ${what} object or an array of them`,
      code: 'invalid_type',
    },
  ]);
}

/** 413 when a request carries more records than allowed. */
export function checkCount(count: number, what = 'record'): void {
  if (count > MAX_RECORDS_PER_REQUEST) {
    throw new PayloadTooLargeError(
      `${count} ${what}s in one request; at most ${MAX_RECORDS_PER_REQUEST} are accepted`,
    );
  }
}

/** A body nests at most a record's depth plus its envelope (`{ records: [ { value } ] }`). */
export function checkDepth(body: unknown): void {
  assertJsonDepth(body, MAX_JSON_DEPTH + 4);
}
