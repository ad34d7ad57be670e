import fc from 'fast-check';
import {
  MAX_EPOCH_MS,
  MIN_EPOCH_MS,
  epochMsSchema,
  normalizeTimestamp,
  timestampSchema,
  toEpochMs,
  toIsoString,
} from './timestamp';

// Instants whose local time at any offset (±14h) still has a 4-digit year.
const instant = fc.integer({ min: MIN_EPOCH_MS + 86_400_000, max: Date.UTC(9000, 0, 1) });
const offsetMinutes = fc.integer({ min: -14 * 60, max: 14 * 60 });

/** Writes the instant as local time at the given UTC offset, e.g. 2024-05-01T14:00:00.000+02:00. */
function isoWithOffset(epochMs: number, offset: number, colon = true): string {
  const local = new Date(epochMs + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${local}${sign}${hh}${colon ? ':' : ''}${mm}`;
}

function epochOf(input: unknown): number {
  const result = normalizeTimestamp(input);
  if (!result.ok) throw new Error(`expected a valid timestamp, got: ${result.message}`);
  return result.epochMs;
}

function messageOf(input: unknown): string {
  const result = normalizeTimestamp(input);
  if (result.ok) throw new Error(`expected ${String(input)} to be rejected`);
  return result.message;
}

describe('normalizeTimestamp', () => {
  it('gives the same epoch ms for an instant as number, as ISO-8601 Z and as digit string', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const date = new Date(ms);
        expect(epochOf(ms)).toBe(ms);
        expect(epochOf(date.toISOString())).toBe(ms);
        expect(epochOf(String(ms))).toBe(ms);
      }),
    );
  });

  it('gives the same epoch ms for an instant written at any UTC offset, with or without colon', () => {
    fc.assert(
      fc.property(instant, offsetMinutes, fc.boolean(), (ms, offset, colon) => {
        expect(epochOf(isoWithOffset(ms, offset, colon))).toBe(ms);
      }),
    );
  });

  it('normalises through the zod schemas to the same number as the function', () => {
    fc.assert(
      fc.property(instant, offsetMinutes, (ms, offset) => {
        expect(timestampSchema.parse(isoWithOffset(ms, offset))).toBe(ms);
        expect(timestampSchema.parse(ms)).toBe(ms);
        expect(epochMsSchema.parse(ms)).toBe(ms);
      }),
    );
  });

  it.each([
    ['2024-05-01T12:00:00Z', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T12:00Z', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01t12:00:00z', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T14:00:00+02:00', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T06:30:00-0530', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T12:00:00.5Z', Date.UTC(2024, 4, 1, 12, 0, 0, 500)],
    // Debezium's ZonedTimestamp carries microseconds: truncated to the millisecond.
    ['2024-05-01T12:00:00.123999Z', Date.UTC(2024, 4, 1, 12, 0, 0, 123)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['  2024-05-01T12:00:00Z ', Date.UTC(2024, 4, 1, 12)],
    ['1714564800000', 1714564800000],
  ])('reads %p as %d', (input, expected) => {
    expect(epochOf(input)).toBe(expected);
  });

  it.each([
    ['2024-02-30T00:00:00Z', 'no such date'],
    ['2023-02-29T00:00:00Z', 'no such date'],
    ['2024-13-01T00:00:00Z', 'no such date'],
    ['2024-05-01T24:00:00Z', 'no such date'],
    ['2024-05-01T12:60:00Z', 'no such date'],
    ['2024-05-01T12:00:60Z', 'no such date'],
    ['2024-05-01T12:00:00', 'ISO-8601 date-time with offset'],
    ['2024-05-01', 'ISO-8601 date-time with offset'],
    ['yesterday', 'ISO-8601 date-time with offset'],
    ['', 'ISO-8601 date-time with offset'],
    ['1714564800000.5', 'ISO-8601 date-time with offset'],
    [1714564800, 'epoch seconds'],
    ['1714564800', 'epoch seconds'],
    [1714564800000.5, 'must be an integer'],
    [Number.NaN, 'invalid timestamp'],
    [Number.POSITIVE_INFINITY, 'invalid timestamp'],
    [MAX_EPOCH_MS + 1, 'after 9999'],
    ['1999-12-31T23:59:59.999Z', 'before 2000'],
    [null, 'invalid timestamp'],
    [true, 'invalid timestamp'],
    [{}, 'invalid timestamp'],
  ])('rejects %p with a message naming the problem (%s)', (input, fragment) => {
    expect(messageOf(input)).toContain(fragment);
  });

  it('accepts exactly the bounds', () => {
    expect(epochOf(MIN_EPOCH_MS)).toBe(MIN_EPOCH_MS);
    expect(epochOf(MAX_EPOCH_MS)).toBe(MAX_EPOCH_MS);
    expect(epochOf('9999-12-31T23:59:59.999Z')).toBe(MAX_EPOCH_MS);
    expect(messageOf(MIN_EPOCH_MS - 1)).toContain('before 2000');
  });
});

describe('toEpochMs / toIsoString', () => {
  it('throws a RangeError with the reason for an invalid timestamp', () => {
    expect(() => toEpochMs('2024-02-30T00:00:00Z')).toThrow(RangeError);
    expect(() => toEpochMs('2024-02-30T00:00:00Z')).toThrow('no such date');
  });

  it('toIsoString is the inverse of the normaliser', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        expect(toEpochMs(toIsoString(ms))).toBe(ms);
      }),
    );
  });
});

describe('epochMsSchema', () => {
  it('rejects ISO strings: our own records carry epoch ms only', () => {
    const result = epochMsSchema.safeParse('2024-05-01T12:00:00Z');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('expected epoch milliseconds');
  });

  it('rejects epoch seconds with the normaliser message', () => {
    expect(epochMsSchema.safeParse(1714564800).error?.issues[0]?.message).toContain(
      'epoch seconds',
    );
  });
});
