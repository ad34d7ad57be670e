import { validate, type ContractIssue, type ValidationResult } from '../../contract';
import {
  MAX_METRICS_PER_READING,
  telemetryContract,
  telemetryReadingContract,
  telemetryRecordFromMqtt,
  toTelemetryRecord,
} from './telemetry.schema';

const T0 = Date.UTC(2024, 4, 1, 12); // 1714564800000
const record = {
  deviceId: 'dev-1',
  ts: T0,
  seq: 7,
  metrics: { temperature: 21.5 },
  ingestedAt: T0 + 40,
};

function issuesOf<T>(result: ValidationResult<T>): readonly ContractIssue[] {
  if (result.ok) throw new Error(`expected a violation, got ${JSON.stringify(result.value)}`);
  return result.issues;
}
const pathsOf = <T>(result: ValidationResult<T>) => issuesOf(result).map((i) => i.path);

describe('telemetry record (iot.telemetry/1)', () => {
  it('is named iot.telemetry version 1', () => {
    expect(telemetryContract.schemaId).toBe('iot.telemetry/1');
  });

  it('accepts a record and keeps it unchanged', () => {
    expect(validate(telemetryContract, record)).toEqual({ ok: true, value: record });
  });

  it.each([
    ['a non-number metric', { metrics: { temperature: 'hot' } }, 'metrics.temperature'],
    ['a null metric', { metrics: { temperature: 1, humidity: null } }, 'metrics.humidity'],
    ['no metric at all', { metrics: {} }, 'metrics'],
    ['metrics that are not an object', { metrics: [1, 2] }, 'metrics'],
    ['a metric name with a space', { metrics: { 'bad name': 1 } }, 'metrics.bad name'],
    ['an ISO ts (records carry epoch ms)', { ts: '2024-05-01T12:00:00Z' }, 'ts'],
    ['epoch seconds', { ts: 1714564800 }, 'ts'],
    ['a fractional ts', { ts: T0 + 0.5 }, 'ts'],
    ['a negative seq', { seq: -1 }, 'seq'],
    ['a fractional seq', { seq: 1.5 }, 'seq'],
    ['a deviceId with a dot', { deviceId: 'a.b' }, 'deviceId'],
    ['a deviceId with a wildcard', { deviceId: 'a*' }, 'deviceId'],
    ['an empty deviceId', { deviceId: '' }, 'deviceId'],
    ['a missing ingestedAt', { ingestedAt: undefined }, 'ingestedAt'],
  ])('rejects %s at path %p', (_label, patch, path) => {
    expect(pathsOf(validate(telemetryContract, { ...record, ...patch }))).toEqual([path]);
  });

  it('drops a __proto__ metric instead of letting it become the prototype', () => {
    const metrics = JSON.parse('{"__proto__": {"polluted": 1}, "t": 2}') as object;
    const result = validate(telemetryContract, { ...record, metrics });
    expect(result).toEqual({ ok: true, value: { ...record, metrics: { t: 2 } } });
    if (result.ok) expect(Object.getPrototypeOf(result.value.metrics)).toBe(Object.prototype);
    const only = JSON.parse('{"__proto__": 1}') as object;
    expect(pathsOf(validate(telemetryContract, { ...record, metrics: only }))).toEqual(['metrics']);
  });

  it(`rejects more than ${MAX_METRICS_PER_READING} metrics`, () => {
    const many = Object.fromEntries(
      Array.from({ length: MAX_METRICS_PER_READING + 1 }, (_, i) => [`m${i}`, i]),
    );
    expect(pathsOf(validate(telemetryContract, { ...record, metrics: many }))).toEqual(['metrics']);
  });

  it('requires deviceId in the record even though a reading may omit it', () => {
    const { deviceId: _d, ...withoutId } = record;
    expect(pathsOf(validate(telemetryContract, withoutId))).toEqual(['deviceId']);
  });
});

describe('telemetry reading (MQTT payload)', () => {
  it('accepts ISO-8601 or epoch ms and no deviceId, ignoring unknown fields', () => {
    const result = validate(telemetryReadingContract, {
      ts: '2024-05-01T14:00:00+02:00',
      metrics: { t: 1 },
      firmware: '1.2.3',
    });
    expect(result).toEqual({ ok: true, value: { ts: T0, metrics: { t: 1 } } });
  });

  it('reports an impossible date at ts', () => {
    const issues = issuesOf(
      validate(telemetryReadingContract, { ts: '2024-02-30T00:00:00Z', metrics: { t: 1 } }),
    );
    expect(issues).toEqual([
      { path: 'ts', message: expect.stringContaining('no such date'), code: 'custom' },
    ]);
  });

  it('reports a missing ts as required', () => {
    const issues = issuesOf(validate(telemetryReadingContract, { metrics: { t: 1 } }));
    expect(issues.map((i) => [i.path, i.message.startsWith('required')])).toEqual([['ts', true]]);
  });
});

describe('toTelemetryRecord', () => {
  it('takes the deviceId from the topic when the payload has none', () => {
    const result = toTelemetryRecord({ ts: T0, metrics: { t: 1 } }, 'dev-1', T0 + 5);
    expect(result).toEqual({
      ok: true,
      value: { deviceId: 'dev-1', ts: T0, metrics: { t: 1 }, ingestedAt: T0 + 5 },
    });
  });

  it('rejects a payload deviceId that disagrees with the topic, at path deviceId', () => {
    const result = toTelemetryRecord({ deviceId: 'other', ts: T0, metrics: { t: 1 } }, 'dev-1', T0);
    expect(issuesOf(result)).toEqual([
      { path: 'deviceId', message: expect.stringContaining('disagrees'), code: 'custom' },
    ]);
  });
});

describe('telemetryRecordFromMqtt', () => {
  const payload = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

  it('decodes, validates and builds the record in one step', () => {
    const result = telemetryRecordFromMqtt(
      'sensors/dev-1/telemetry',
      payload({ deviceId: 'dev-1', ts: '2024-05-01T12:00:00Z', seq: 3, metrics: { t: 2 } }),
      T0 + 9,
    );
    expect(result).toEqual({
      ok: true,
      value: { deviceId: 'dev-1', ts: T0, seq: 3, metrics: { t: 2 }, ingestedAt: T0 + 9 },
    });
  });

  it('rejects a payload deviceId that disagrees with the topic', () => {
    const result = telemetryRecordFromMqtt(
      'sensors/dev-1/telemetry',
      payload({ deviceId: 'dev-2', ts: T0, metrics: { t: 1 } }),
      T0,
    );
    expect(pathsOf(result)).toEqual(['deviceId']);
  });

  it.each([
    'sensors/dev-1/status',
    'sensors/a.b/telemetry',
    'sensors/+/telemetry',
    'other/dev-1/telemetry',
  ])('rejects topic %p with an invalid_topic issue', (topic) => {
    const issues = issuesOf(
      telemetryRecordFromMqtt(topic, payload({ ts: T0, metrics: { t: 1 } }), T0),
    );
    expect(issues).toEqual([
      { path: '', message: expect.stringContaining(topic), code: 'invalid_topic' },
    ]);
  });

  it('reports invalid UTF-8 and invalid JSON', () => {
    const utf8 = telemetryRecordFromMqtt(
      'sensors/d/telemetry',
      Uint8Array.from([0x7b, 0xfe, 0x7d]),
      T0,
    );
    expect(issuesOf(utf8)[0]?.code).toBe('invalid_utf8');
    const json = telemetryRecordFromMqtt('sensors/d/telemetry', '{"ts":', T0);
    expect(issuesOf(json)[0]?.code).toBe('invalid_json');
  });

  it('reports a bad ingestedAt (the ingestor clock) at ingestedAt', () => {
    expect(
      pathsOf(
        telemetryRecordFromMqtt('sensors/d/telemetry', payload({ ts: T0, metrics: { t: 1 } }), 5),
      ),
    ).toEqual(['ingestedAt']);
  });
});
