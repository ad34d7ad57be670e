import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { compiledCheckOf } from './compiled-validator';
import { defineContract, parseJson, type Contract } from './contract';
import { telemetryContract } from './messages/telemetry/telemetry.schema';
import { telemetryWindowContract } from './messages/telemetry-window/telemetry-window.schema';
import { userActivityContract } from './messages/user-activity/user-activity.schema';
import { userSessionContract } from './messages/user-session/user-session.schema';
import { z } from 'zod';

/** What the compiled check must say: accept exactly what zod accepts and returns unchanged. */
function zodKeepsAsIs(contract: Contract, value: unknown): boolean {
  const result = contract.schema.safeParse(value);
  return result.success && isDeepStrictEqual(result.data, value);
}

/** A value as it arrives from Kafka: through JSON text (no undefined, no -0, no NaN). */
const wire = <T>(arb: fc.Arbitrary<T>) => arb.map((v) => JSON.parse(JSON.stringify(v)) as unknown);

const MIN_MS = 946_684_800_000;
const MAX_MS = 253_402_300_799_999;
/** Mostly valid values, sometimes a nasty one: both sides of every check get exercised. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, nasty: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: nasty });
const epochMs = mostly(
  fc.integer({ min: MIN_MS, max: MAX_MS }),
  fc.constantFrom(MIN_MS - 1, MAX_MS + 1, 1.5e12 + 0.5, -1, 0, '2024-05-01T12:00:00Z'),
);
const token = (chars: string, max: number) =>
  fc.string({ unit: fc.constantFrom(...chars.split('')), minLength: 1, maxLength: max });
const SAFE = 'abcXYZ019_-';
const NASTY = 'a.*>/ \u0000\n\u0085\u00e9:';

const metrics = mostly(
  fc.dictionary(token(SAFE, 12), fc.double({ noNaN: true, noDefaultInfinity: true }), {
    minKeys: 1,
    maxKeys: 20,
  }),
  fc.dictionary(fc.oneof(token(SAFE, 70), token(NASTY, 4)), fc.oneof(fc.double(), fc.jsonValue()), {
    minKeys: 0,
    maxKeys: 110,
  }),
);

const telemetry = fc.record(
  {
    deviceId: mostly(token(SAFE, 128), fc.oneof(token(NASTY, 6), token(SAFE, 140))),
    ts: epochMs,
    seq: mostly(fc.nat(), fc.constantFrom(-1, 0.5, Number.MAX_SAFE_INTEGER + 2)),
    metrics,
    ingestedAt: epochMs,
  },
  { requiredKeys: ['deviceId', 'ts', 'metrics', 'ingestedAt'] },
);

const uuid = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.constantFrom(
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    'not-a-uuid',
  ),
);
const activity = fc.record(
  {
    eventId: uuid,
    userId: mostly(
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.oneof(
        token(NASTY + '\ud800\u001b\u007f', 8),
        fc.string({ minLength: 250, maxLength: 260 }),
      ),
    ),
    type: mostly(token('ab:_-Z9', 64), fc.oneof(token(NASTY, 4), token('ab', 70))),
    ts: epochMs,
    properties: fc.dictionary(fc.string(), fc.jsonValue()),
  },
  { requiredKeys: ['eventId', 'userId', 'type', 'ts'] },
);

/** An aggregate: mostly consistent, sometimes max below min or avg outside (or just outside) [min, max]. */
const aggregate = fc
  .record({
    count: fc.option(mostly(fc.integer({ min: 1, max: 1_000 }), fc.constantFrom(0, 1.5)), {
      nil: undefined,
    }),
    low: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    spread: fc.double({ noNaN: true, min: 0, max: 1e3 }),
    at: fc.double({ noNaN: true, min: -0.01, max: 1.01 }),
    swap: fc.boolean(),
  })
  .map(({ count, low, spread, at, swap }) => {
    const [min, max] = swap && spread > 0 ? [low + spread, low] : [low, low + spread];
    return {
      ...(count === undefined ? {} : { count }),
      min,
      max,
      sum: low,
      avg: low + at * spread,
    };
  });
const sizes = fc.constantFrom(60_000, 300_000);
const windows = fc
  .record({
    deviceId: mostly(token(SAFE, 128), token(NASTY, 6)),
    windowStart: epochMs,
    size: mostly(sizes, fc.constantFrom(0, -60_000)),
    idSize: mostly(fc.constant(undefined), sizes),
    count: mostly(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(0, 2.5)),
    metrics: mostly(
      fc.dictionary(token(SAFE, 12), aggregate, { minKeys: 1, maxKeys: 4 }),
      fc.dictionary(fc.oneof(token(SAFE, 70), token(NASTY, 4)), fc.jsonValue(), { maxKeys: 3 }),
    ),
  })
  .map(({ deviceId, windowStart, size, idSize, count, metrics }) => {
    const start = typeof windowStart === 'number' ? windowStart : 0;
    return {
      windowId: `${deviceId}:${start}:${idSize ?? size}`,
      deviceId,
      windowStart,
      windowEnd: start + size,
      count,
      metrics,
    };
  });
const sessions = fc
  .record({
    userId: mostly(fc.string({ minLength: 1, maxLength: 20 }), token(NASTY, 6)),
    sessionStart: epochMs,
    length: mostly(fc.integer({ min: 0, max: 3_600_000 }), fc.constant(-1)),
    types: mostly(
      fc.dictionary(token('ab:_-Z9', 64), fc.integer({ min: 1, max: 50 }), {
        minKeys: 1,
        maxKeys: 4,
      }),
      fc.dictionary(token(NASTY, 4), fc.oneof(fc.integer(), fc.double()), { maxKeys: 3 }),
    ),
    countOff: mostly(fc.constant(0), fc.integer({ min: -2, max: 2 })),
    idOff: mostly(fc.constant(''), fc.constantFrom('x', ':1')),
  })
  .map(({ userId, sessionStart, length, types, countOff, idOff }) => {
    const start = typeof sessionStart === 'number' ? sessionStart : 0;
    const total = Object.values(types).reduce((sum: number, n) => sum + Number(n), 0);
    return {
      sessionId: `${userId}:${start}${idOff}`,
      userId,
      sessionStart,
      sessionEnd: start + length,
      eventCount: total + countOff,
      types,
    };
  });

/** Breaks a valid-looking record: drops, replaces or adds a field, or is anything at all. */
function mutated(base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: base },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          base,
          fc.constantFrom('deviceId', 'userId', 'ts', 'metrics', 'type', 'extra'),
          fc.jsonValue(),
        )
        .map(([record, key, value]) => ({ ...record, [key]: value })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(base, fc.constantFrom('deviceId', 'eventId', 'ts', 'metrics', 'ingestedAt'))
        .map(([record, key]) => {
          const { [key]: _dropped, ...rest } = record;
          return rest;
        }),
    },
    { weight: 1, arbitrary: fc.jsonValue() },
  );
}

describe('compiled contract checks (zod → JSON Schema → ajv)', () => {
  it.each([
    ['iot.telemetry/1', telemetryContract, telemetry],
    ['user-activity/1', userActivityContract, activity],
    ['agg.telemetry.1m/1', telemetryWindowContract, windows],
    ['agg.user-sessions/1', userSessionContract, sessions],
  ] as const)(
    '%s: the compiled check accepts exactly what zod accepts unchanged, refinements included',
    (_name, contract, base) => {
      const check = compiledCheckOf(contract);
      expect(check).toBeDefined();
      fc.assert(
        fc.property(wire(mutated(base as fc.Arbitrary<Record<string, unknown>>)), (value) => {
          expect(check?.(value)).toBe(zodKeepsAsIs(contract, value));
        }),
        { numRuns: 3_000 },
      );
    },
  );

  it.each([
    ['iot.telemetry/1', telemetryContract, telemetry],
    ['agg.telemetry.1m/1', telemetryWindowContract, windows],
    ['agg.user-sessions/1', userSessionContract, sessions],
  ] as const)(
    '%s: accepts generated valid records and refuses others (the test above sees both)',
    (_name, contract, base) => {
      const check = compiledCheckOf(contract);
      const sample = fc.sample(wire(base as fc.Arbitrary<unknown>), 500);
      const accepted = sample.filter((v) => check?.(v)).length;
      expect(accepted).toBeGreaterThan(50);
      expect(accepted).toBeLessThan(sample.length);
    },
  );

  it('names the refinement a window breaks, through zod, when the compiled check refuses it', () => {
    const window = {
      windowId: 'd1:1700000040000:60000',
      deviceId: 'd1',
      windowStart: 1_700_000_040_000,
      windowEnd: 1_700_000_100_000,
      count: 2,
      metrics: { t: { min: 2, max: 1, sum: 3, avg: 1.5 } },
    };
    expect(compiledCheckOf(telemetryWindowContract)?.(window)).toBe(false);
    expect(parseJson(telemetryWindowContract, JSON.stringify(window))).toMatchObject({
      ok: false,
      issues: [{ path: 'metrics.t.max' }],
    });
    const valid = { ...window, metrics: { t: { min: 1, max: 2, sum: 3, avg: 1.5 } } };
    expect(parseJson(telemetryWindowContract, JSON.stringify(valid))).toEqual({
      ok: true,
      value: valid,
    });
  });

  it('keeps zod for a contract not marked exact, and refuses a fast path for what JSON Schema cannot say', () => {
    const refined = defineContract(
      'probe',
      1,
      z.object({ a: z.number() }).refine((v) => v.a > 1),
    );
    expect(compiledCheckOf(refined)).toBeUndefined();
    const custom = defineContract(
      'probe',
      2,
      z.custom<string>(() => false),
      {
        exactJsonSchema: true,
      },
    );
    expect(compiledCheckOf(custom)).toBeUndefined();
  });

  it('parseJson still names the field of an invalid record (the messages consumers dead-letter)', () => {
    const result = parseJson(
      telemetryContract,
      Buffer.from(
        '{"deviceId":"d/1","ts":1700000000000,"metrics":{"t":1},"ingestedAt":1700000000000}',
      ),
    );
    expect(result).toMatchObject({ ok: false, issues: [{ path: 'deviceId' }] });
    // Normalised by zod when not in wire form (an unknown field is stripped).
    const loose = parseJson(
      telemetryContract,
      '{"deviceId":"d1","ts":1700000000000,"metrics":{"t":1},"ingestedAt":1700000000000,"x":1}',
    );
    expect(loose).toEqual({
      ok: true,
      value: {
        deviceId: 'd1',
        ts: 1_700_000_000_000,
        metrics: { t: 1 },
        ingestedAt: 1_700_000_000_000,
      },
    });
  });

  it('leaves an own __proto__ key (JSON.parse makes one) to zod, found by the property test', () => {
    const value = JSON.parse(
      '{"eventId":"00000000-0000-1000-8000-000000000000","userId":"!","type":"a","ts":946684800000,"properties":{"__proto__":[]}}',
    ) as unknown;
    expect(compiledCheckOf(userActivityContract)?.(value)).toBe(false);
  });

  it('keeps the fast path for ordinary records (exponents and digits are not overflows)', () => {
    const record = {
      deviceId: 'device-123',
      ts: 1_700_000_000_000,
      metrics: { e100: 1.5e-7, t: 2e10 },
      ingestedAt: 1_700_000_000_000,
    };
    const value = parseJson(telemetryContract, JSON.stringify(record));
    // zod would return a copy; the fast path hands over the parsed object itself.
    expect(value).toEqual({ ok: true, value: record });
    const spy = jest.spyOn(telemetryContract.schema, 'safeParse');
    parseJson(telemetryContract, JSON.stringify(record));
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('refuses non-finite numbers itself, where JSON Schema alone would take them', () => {
    const check = compiledCheckOf(telemetryContract);
    const record = { deviceId: 'd1', ts: 1_700_000_000_000, ingestedAt: 1_700_000_000_000 };
    expect(check?.({ ...record, metrics: { t: 1 } })).toBe(true);
    for (const t of [Infinity, -Infinity, NaN]) {
      expect(check?.({ ...record, metrics: { t } })).toBe(false);
      expect(zodKeepsAsIs(telemetryContract, { ...record, metrics: { t } })).toBe(false);
    }
  });

  it('treats a JSON number beyond double range (Infinity after JSON.parse) like zod', () => {
    const record =
      '{"deviceId":"d1","ts":1700000000000,"metrics":{"t":1e999},"ingestedAt":1700000000000}';
    expect(parseJson(telemetryContract, record).ok).toBe(false);
    // 309 digits without an exponent overflow too.
    const digits = `{"deviceId":"d1","ts":1700000000000,"metrics":{"t":${'9'.repeat(309)}},"ingestedAt":1700000000000}`;
    expect(parseJson(telemetryContract, digits).ok).toBe(false);
    expect(parseJson(telemetryContract, digits.replace('9'.repeat(309), '9'.repeat(308))).ok).toBe(
      true,
    );
  });
});
