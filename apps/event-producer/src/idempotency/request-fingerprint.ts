import { createHash } from 'node:crypto';
import { RequestValidationError } from '@streamline/platform';

/** Printable ASCII without spaces, like the IETF draft's examples (UUIDs, ULIDs, random tokens). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** The request's Idempotency-Key, undefined when absent; a malformed one is a 400. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && IDEMPOTENCY_KEY.test(value)) return value;
  throw new RequestValidationError([
    {
      path: `headers.${IDEMPOTENCY_HEADER}`,
      reason: 'must be 1-255 printable ASCII characters without spaces (a UUID is a good key)',
      code: 'invalid_format',
    },
  ]);
}

/** JSON with object keys sorted at every level: equal values give equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 of the parts that make a request what it is; `same body` means the same JSON value. */
export function fingerprintOf(parts: { scope: string; variant: string; body: unknown }): string {
  return createHash('sha256')
    .update(parts.scope)
    .update('\n')
    .update(parts.variant)
    .update('\n')
    .update(canonicalJson(parts.body))
    .digest('hex');
}

/**
 * A UUID (version 8, RFC 9562 "custom") derived from `seed` and a record's index. An idempotent
 * request that must be run again (its first run died before storing its reply) then produces
 * the same eventIds, which consumers deduplicate.
 */
export function derivedEventId(seed: string, index: number): string {
  const bytes = createHash('sha256').update(`${seed}#${index}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
