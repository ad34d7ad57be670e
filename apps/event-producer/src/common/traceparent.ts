/** W3C Trace Context `traceparent`: version 00, non-zero trace and span ids. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The request's `traceparent` if it is valid, else undefined: per the W3C spec an invalid one is
 * ignored (never copied onto records, where it would poison every downstream trace).
 */
export function traceparentOf(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  return value !== undefined && TRACEPARENT.test(value) ? value : undefined;
}
