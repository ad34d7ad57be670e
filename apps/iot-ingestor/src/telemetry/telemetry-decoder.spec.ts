import fc from 'fast-check';
import { telemetryContract, validate } from '@streamline/contracts';
import { decodeTelemetry } from './telemetry-decoder';
import { TELEMETRY_FAULTS } from './telemetry-faults';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const LIMITS = { maxPayloadBytes: 4096, maxFutureMs: 300_000 };
const DEVICE = { deviceId: 'dev-1', safe: true };

const decode = (payload: string | Buffer, device = DEVICE) =>
  decodeTelemetry(device, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), NOW, LIMITS);

describe('decodeTelemetry', () => {
  it('turns one reading into a record keyed by the topic device, ISO ts normalised, ingestedAt set', () => {
    const result = decode('{"ts":"2026-01-01T11:59:00Z","seq":7,"metrics":{"temp":21.5},"fw":"x"}');
    expect(result.faults).toEqual([]);
    expect(result.readings.map((r) => r.record)).toEqual([
      { deviceId: 'dev-1', ts: NOW - 60_000, seq: 7, metrics: { temp: 21.5 }, ingestedAt: NOW },
    ]);
  });

  it('accepts epoch ms and a payload deviceId that agrees with the topic', () => {
    const result = decode(`{"deviceId":"dev-1","ts":${NOW},"metrics":{"v":1}}`);
    expect(result.readings[0]?.record).toEqual({
      deviceId: 'dev-1',
      ts: NOW,
      metrics: { v: 1 },
      ingestedAt: NOW,
    });
  });

  it('produces the valid readings of a batch and dead-letters each invalid one with its index and bytes', () => {
    const payload = `[{"ts":${NOW},"metrics":{"a":1}}, {"ts":${NOW},"metrics":{"a":"x"}} ,{"deviceId":"other","ts":${NOW},"metrics":{"a":2}},{"ts":${NOW + 300_001},"metrics":{"a":3}},{"ts":${NOW + 300_000},"metrics":{"a":4}}]`;
    const result = decode(payload);
    expect(result.readings.map((r) => r.record.metrics['a'])).toEqual([1, 4]);
    expect(result.faults.map((f) => [f.kind, f.value.toString()])).toEqual([
      [TELEMETRY_FAULTS.CONTRACT_VIOLATION, `{"ts":${NOW},"metrics":{"a":"x"}}`],
      [TELEMETRY_FAULTS.DEVICE_ID_MISMATCH, `{"deviceId":"other","ts":${NOW},"metrics":{"a":2}}`],
      [TELEMETRY_FAULTS.TIMESTAMP_IN_FUTURE, `{"ts":${NOW + 300_001},"metrics":{"a":3}}`],
    ]);
    expect(result.faults[0]?.message).toMatch(/^\[1\]\.metrics\.a: /);
    expect(result.faults[1]?.message).toBe(
      '[2].deviceId: "other" disagrees with the MQTT topic device "dev-1"',
    );
    expect(result.faults[2]?.message).toMatch(/^\[3\]\.ts: .* 300001 ms ahead/);
  });

  it.each([
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), TELEMETRY_FAULTS.INVALID_UTF8, /UTF-8/],
    ['not JSON', Buffer.from('{"ts":'), TELEMETRY_FAULTS.INVALID_JSON, /not valid JSON/],
    [
      'a schema violation',
      Buffer.from('{"metrics":{"t":1}}'),
      TELEMETRY_FAULTS.CONTRACT_VIOLATION,
      /^ts: required/,
    ],
    ['not an object', Buffer.from('42'), TELEMETRY_FAULTS.CONTRACT_VIOLATION, /object/],
    ['an empty batch', Buffer.from('[]'), TELEMETRY_FAULTS.CONTRACT_VIOLATION, /empty batch/],
    [
      'a disagreeing deviceId',
      Buffer.from(`{"deviceId":"x","ts":${NOW},"metrics":{"t":1}}`),
      TELEMETRY_FAULTS.DEVICE_ID_MISMATCH,
      /^deviceId: /,
    ],
    [
      'too large',
      Buffer.alloc(4097, 0x20),
      TELEMETRY_FAULTS.PAYLOAD_TOO_LARGE,
      /4097 bytes exceeds the limit of 4096/,
    ],
  ])('dead-letters %s whole, with the original bytes', (_name, payload, kind, reason) => {
    const result = decode(payload);
    expect(result.readings).toEqual([]);
    expect(result.faults).toHaveLength(1);
    expect(result.faults[0]?.kind).toBe(kind);
    expect(result.faults[0]?.message).toMatch(reason);
    expect(result.faults[0]?.value.equals(payload)).toBe(true);
  });

  it('dead-letters anything on a topic whose device level is not a device id', () => {
    const result = decode(`{"ts":${NOW},"metrics":{"t":1}}`, { deviceId: 'a.b', safe: false });
    expect(result.faults[0]?.kind).toBe(TELEMETRY_FAULTS.INVALID_TOPIC);
    expect(result.readings).toEqual([]);
  });

  it('property: any bytes are either produced or dead-lettered, never thrown, never both for a single reading', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const payload = Buffer.from(bytes);
        const result = decode(payload);
        expect(result.readings.length + result.faults.length).toBeGreaterThan(0);
        for (const reading of result.readings)
          expect(validate(telemetryContract, reading.record).ok).toBe(true);
      }),
    );
  });

  it('property: a batch of valid and invalid readings splits into exactly those, each fault holding its own bytes', () => {
    const valid = fc.record({
      ts: fc.integer({ min: NOW - 86_400_000, max: NOW + 300_000 }),
      metrics: fc.dictionary(
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        { minKeys: 1, maxKeys: 5 },
      ),
    });
    const invalid = fc.oneof(
      fc.record({ ts: fc.constant('yesterday'), metrics: fc.constant({ a: 1 }) }),
      fc.record({ ts: fc.constant(NOW), metrics: fc.constant({}) }),
      fc.record({
        ts: fc.integer({ min: NOW + 300_001, max: NOW + 10 ** 9 }),
        metrics: fc.constant({ a: 1 }),
      }),
    );
    const item = fc.oneof(
      valid.map((v) => ({ ok: true, v })),
      invalid.map((v) => ({ ok: false, v })),
    );
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 20 }), (items) => {
        const result = decode(JSON.stringify(items.map((i) => i.v)));
        expect(result.readings).toHaveLength(items.filter((i) => i.ok).length);
        expect(result.faults).toHaveLength(items.filter((i) => !i.ok).length);
        const bad = items.filter((i) => !i.ok).map((i) => JSON.stringify(i.v));
        expect(result.faults.map((f) => f.value.toString())).toEqual(bad);
        const indices = items.flatMap((i, index) => (i.ok ? [] : [index]));
        expect(result.faults.map((f) => Number(/^\[(\d+)\]/.exec(f.message)?.[1]))).toEqual(
          indices,
        );
      }),
    );
  });
});
