import { parseJson, telemetryContract } from '@streamline/contracts';
import fc from 'fast-check';
import { resolveFailurePolicy } from '../retry/failure-policy';
import { contractDecoder, resolveHandler, resolveHandlers } from './handler-resolution';

const noop = () => undefined;

describe('resolveHandler', () => {
  it('refuses a topic with neither a known contract nor a decoder', () => {
    expect(() =>
      resolveHandler({ topic: 'nobody.knows.v1', handler: noop }, resolveFailurePolicy()),
    ).toThrow('no contract is known for topic "nobody.knows.v1"');
  });

  it('finds the contract of a known topic by its name', () => {
    const resolved = resolveHandler(
      { topic: 'iot.telemetry.v1', handler: noop },
      resolveFailurePolicy(),
    );
    expect(resolved.schemaId).toBe('iot.telemetry/1');
  });

  it('fills the failure policy from the defaults', () => {
    const resolved = resolveHandler(
      { topic: 'iot.telemetry.v1', handler: noop, failurePolicy: { maxAttempts: 2 } },
      resolveFailurePolicy({ retries: false }),
    );
    expect(resolved.policy).toMatchObject({ maxAttempts: 2, retries: false });
  });
});

describe('resolveHandlers', () => {
  it('refuses two handlers for one topic, and no handler at all', () => {
    const twice = [
      { topic: 'iot.telemetry.v1', handler: noop },
      { topic: 'iot.telemetry.v1', handler: noop },
    ];
    expect(() => resolveHandlers(twice)).toThrow('more than one handler');
    expect(() => resolveHandlers([])).toThrow('at least one handler');
  });
});

describe('contractDecoder', () => {
  const decode = contractDecoder(telemetryContract);

  it('gives exactly what parseJson gives, for valid and invalid values alike (property)', () => {
    const reading = fc.record(
      {
        deviceId: fc.oneof(fc.constantFrom('d-1', 'bad id', ''), fc.string()),
        ts: fc.oneof(fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }), fc.string()),
        seq: fc.integer({ min: -2, max: 5 }),
        metrics: fc.dictionary(fc.constantFrom('t', 'h', 'bad name'), fc.double()),
        ingestedAt: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }),
      },
      { requiredKeys: [] },
    );
    const bytes = fc.oneof(
      reading.map((r) => Buffer.from(JSON.stringify(r))),
      fc.string().map((s) => Buffer.from(s)),
      fc.constant(null),
    );
    fc.assert(
      fc.property(bytes, (value) => {
        expect(decode(value)).toEqual(parseJson(telemetryContract, value));
      }),
    );
  });
});
