/** W3C Trace Context `traceparent`: version 00, non-zero trace and span ids. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * A valid W3C `traceparent` (from an HTTP header or an MQTT 5 user property), lower-cased, else
 * undefined: per the W3C spec an invalid one is ignored (never copied onto records, where it would
 * poison every downstream trace).
 */
export function traceparentOf(value: string | string[] | undefined): string | undefined {
  const first = (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase();
  return first !== undefined && TRACEPARENT.test(first) ? first : undefined;
}
