import { z } from 'zod';

/**
 * Every timestamp in every contract goes through `normalizeTimestamp`, so "the same instant" means
 * the same epoch-millisecond integer everywhere, whatever form the producer used.
 *
 * Accepted forms (decided here, once):
 * - a number: epoch milliseconds, an integer;
 * - an ISO-8601 / RFC 3339 date-time string WITH an offset (`Z`, `+02:00`, `-0530`), seconds and a
 *   fraction optional (`2024-05-01T12:00Z`, `2024-05-01T12:00:00.123456Z`); digits beyond the
 *   millisecond are truncated (Debezium sends microseconds). A local time without an offset is
 *   rejected: it names a different instant on every machine;
 * - a string of digits only (`"1714564800000"`): epoch milliseconds. Allowed because Kafka header
 *   values such as `retry.not-before` and `dlq.origin.timestamp` are strings, and the same parser
 *   should read them.
 * Every form must land in [2000-01-01T00:00:00.000Z, 9999-12-31T23:59:59.999Z]. The lower bound
 * catches epoch *seconds* sent by mistake (1714564800 would otherwise read as January 1970) and
 * devices whose clock never synced; the upper bound is the last instant ISO-8601 writes in 4 digits.
 */
export const MIN_EPOCH_MS = Date.UTC(2000, 0, 1);
export const MAX_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export type TimestampResult =
  | { readonly ok: true; readonly epochMs: number }
  | { readonly ok: false; readonly message: string };

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
const DIGITS_ONLY = /^\d{1,16}$/;
const EXPECTED =
  'expected epoch milliseconds or an ISO-8601 date-time with offset, e.g. 2024-05-01T12:00:00Z';

/** Normalises epoch ms (number or digit string) or an ISO-8601 date-time with offset to epoch ms. */
export function normalizeTimestamp(input: unknown): TimestampResult {
  if (typeof input === 'number') return checkEpochMs(input, String(input));
  if (typeof input !== 'string') return fail(`invalid timestamp: ${EXPECTED}`);
  const text = input.trim();
  if (DIGITS_ONLY.test(text)) return checkEpochMs(Number(text), JSON.stringify(input));
  return parseIsoDateTime(text, JSON.stringify(input));
}

/** Like `normalizeTimestamp` but throws a RangeError: for values that must already be valid. */
export function toEpochMs(input: unknown): number {
  const result = normalizeTimestamp(input);
  if (!result.ok) throw new RangeError(result.message);
  return result.epochMs;
}

/** Formats epoch ms as ISO-8601 UTC with milliseconds (the inverse of the normaliser). */
export function toIsoString(epochMs: number): string {
  return new Date(toEpochMs(epochMs)).toISOString();
}

function checkEpochMs(value: number, shown: string): TimestampResult {
  if (!Number.isFinite(value)) return fail(`invalid timestamp ${shown}: ${EXPECTED}`);
  if (!Number.isInteger(value)) {
    return fail(`invalid timestamp ${shown}: epoch milliseconds must be an integer`);
  }
  if (value < MIN_EPOCH_MS) {
    return fail(
      `invalid timestamp ${shown}: before 2000-01-01T00:00:00.000Z (epoch seconds instead of milliseconds?)`,
    );
  }
  if (value > MAX_EPOCH_MS) {
    return fail(`invalid timestamp ${shown}: after 9999-12-31T23:59:59.999Z (not milliseconds?)`);
  }
  return { ok: true, epochMs: value };
}

function parseIsoDateTime(text: string, shown: string): TimestampResult {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return fail(`invalid timestamp ${shown}: ${EXPECTED}`);
  const [, y, mo, d, h, mi, s = '0', frac = '', zulu, sign, oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  // Date would silently roll 2024-02-30 over to March; an impossible date is a producer bug.
  const calendarOk =
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23;
  if (!calendarOk || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return fail(`invalid timestamp ${shown}: no such date or time`);
  }
  const millis = Number(frac.padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const offsetMs = zulu ? 0 : (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return checkEpochMs(date.getTime() - offsetMs, shown);
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

function fail(message: string): TimestampResult {
  return { ok: false, message };
}

const epochMsOutput = z.int().min(MIN_EPOCH_MS).max(MAX_EPOCH_MS);

/**
 * A timestamp as producers may send it (number, digit string or ISO-8601), normalised to epoch ms.
 * Used for input variants (MQTT payloads, HTTP bodies) and for rows written by other systems.
 */
export const timestampSchema = z
  .union([z.number(), z.string()], {
    error: (issue) =>
      issue.input === undefined ? `required (${EXPECTED})` : `invalid timestamp: ${EXPECTED}`,
  })
  .transform((value, ctx) => {
    const result = normalizeTimestamp(value);
    if (result.ok) return result.epochMs;
    ctx.addIssue({ code: 'custom', message: result.message, input: value });
    return z.NEVER;
  })
  .pipe(epochMsOutput) // keeps the output side describable as JSON Schema (integer, bounds)
  .meta({ description: 'Epoch ms, or an ISO-8601 date-time with offset; normalised to epoch ms' });

/**
 * A timestamp as it travels inside our own Kafka records and NATS messages: epoch ms only.
 * Stricter than `timestampSchema` so that a producer writing ISO strings is caught, not tolerated.
 */
export const epochMsSchema = z
  .number({
    error: (issue) =>
      issue.input === undefined
        ? 'required (epoch milliseconds)'
        : 'invalid timestamp: expected epoch milliseconds (an integer number)',
  })
  .transform((value, ctx) => {
    const result = normalizeTimestamp(value);
    if (result.ok) return result.epochMs;
    ctx.addIssue({ code: 'custom', message: result.message, input: value });
    return z.NEVER;
  })
  .pipe(epochMsOutput)
  .meta({ description: 'Epoch milliseconds (UTC), an integer' });
