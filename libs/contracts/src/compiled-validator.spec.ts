import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { compiledCheckOf } from './compiled-validator';
import { defineContract, parseJson, type Contract } from './contract';
import { telemetryContract } from './messages/telemetry/telemetry.schema';
import { userActivityContract } from './messages/user-activity/user-activity.schema';
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

  it('accepts generated valid records (the test above is not all rejections)', () => {
    const check = compiledCheckOf(telemetryContract);
    const accepted = fc.sample(wire(telemetry), 500).filter((v) => check?.(v)).length;
    expect(accepted).toBeGreaterThan(100);
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

  it('keeps the fast path for ordinary records (the overflow guard is not fooled by ids)', () => {
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
