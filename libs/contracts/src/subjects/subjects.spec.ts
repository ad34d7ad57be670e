import fc from 'fast-check';
import { ContractViolationError } from '../contract';
import {
  JETSTREAM_CONSUMERS,
  KV_BUCKETS,
  KV_SETTINGS,
  MQTT_TOPICS,
  STREAMS,
  STREAM_SETTINGS,
  SUBJECTS,
  alertSubject,
  deviceIdFromAlertSubject,
  deviceIdFromMqttTopic,
  mqttStatusTopic,
  mqttTelemetryTopic,
  nanos,
  parseMqttTopic,
} from './subjects';

const safeId = fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/);
/** An id with at least one character that would break a subject or topic. */
const unsafeId = fc
  .tuple(
    fc.string({ maxLength: 10 }),
    fc.constantFrom('.', '*', '>', ' ', '\t', '\n', '/', '+', '#'),
    fc.string({ maxLength: 10 }),
  )
  .map(([a, bad, b]) => `${a}${bad}${b}`);

describe('NATS names and settings', () => {
  it('holds the exact names', () => {
    expect(STREAMS).toEqual({ ALERTS: 'ALERTS', DLQ_REPLAY: 'DLQ_REPLAY' });
    expect(SUBJECTS.ALERTS_ALL).toBe('alerts.telemetry.>');
    expect(SUBJECTS.DLQ_REPLAY_COMMANDS).toBe('dlq.replay.commands');
    expect(KV_BUCKETS.DEVICE_PRESENCE).toBe('device-presence');
    for (const name of Object.values(JETSTREAM_CONSUMERS)) expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('stores ALERTS on file, limits retention, 2-minute duplicate window (ns)', () => {
    expect(STREAM_SETTINGS.ALERTS).toMatchObject({
      name: 'ALERTS',
      subjects: ['alerts.telemetry.>'],
      storage: 'file',
      retention: 'limits',
      duplicate_window: 120_000_000_000,
    });
    expect(STREAM_SETTINGS.ALERTS.max_age).toBeGreaterThan(0);
  });

  it('makes DLQ_REPLAY a file-backed work queue', () => {
    expect(STREAM_SETTINGS.DLQ_REPLAY).toMatchObject({
      name: 'DLQ_REPLAY',
      subjects: ['dlq.replay.commands'],
      storage: 'file',
      retention: 'workqueue',
    });
    expect(STREAM_SETTINGS.DLQ_REPLAY.max_age).toBeGreaterThan(0);
  });

  it('keeps one history entry per device in the presence bucket', () => {
    expect(KV_SETTINGS.DEVICE_PRESENCE).toEqual({
      bucket: 'device-presence',
      history: 1,
      storage: 'file',
      ttl: 0,
      replicas: 1,
    });
  });

  it('converts milliseconds to the nanoseconds nats.js expects', () => {
    expect(nanos(1)).toBe(1_000_000);
  });
});

describe('alertSubject', () => {
  it('is alerts.telemetry.<deviceId>, a single token under the stream wildcard', () => {
    expect(alertSubject('abc')).toBe('alerts.telemetry.abc');
    fc.assert(
      fc.property(safeId, (id) => {
        const subject = alertSubject(id);
        expect(subject.split('.')).toEqual(['alerts', 'telemetry', id]);
        expect(deviceIdFromAlertSubject(subject)).toBe(id);
      }),
    );
  });

  it.each(['a.b', 'a*', '>', 'a b', 'tab\there', '', 'x'.repeat(129)])(
    'rejects unsafe id %p',
    (id) => {
      expect(() => alertSubject(id)).toThrow(ContractViolationError);
    },
  );

  it('rejects every id containing a separator, wildcard or whitespace', () => {
    fc.assert(
      fc.property(unsafeId, (id) => {
        expect(() => alertSubject(id)).toThrow(ContractViolationError);
      }),
    );
  });

  it('throws a non-retryable violation that names deviceId', () => {
    try {
      alertSubject('a.b');
      throw new Error('expected a throw');
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(ContractViolationError);
      expect((error as ContractViolationError).retryable).toBe(false);
      expect((error as ContractViolationError).issues[0]?.path).toBe('deviceId');
    }
  });

  it('deviceIdFromAlertSubject ignores other subjects', () => {
    expect(deviceIdFromAlertSubject('alerts.other.abc')).toBeUndefined();
    expect(deviceIdFromAlertSubject('alerts.telemetry.a.b')).toBeUndefined();
  });
});

describe('MQTT topics', () => {
  it('holds the exact filters', () => {
    expect(MQTT_TOPICS).toEqual({
      TELEMETRY: 'sensors/+/telemetry',
      TELEMETRY_SHARED: '$share/iot-ingestor/sensors/+/telemetry',
      STATUS: 'sensors/+/status',
    });
  });

  it('reads the device from a telemetry or status topic', () => {
    expect(deviceIdFromMqttTopic('sensors/abc/telemetry')).toBe('abc');
    expect(deviceIdFromMqttTopic('sensors/abc/status')).toBe('abc');
    expect(parseMqttTopic('sensors/abc/status')).toEqual({ deviceId: 'abc', kind: 'status' });
  });

  it.each([
    'sensors/+/telemetry',
    'sensors/a.b/telemetry',
    'sensors//telemetry',
    'sensors/abc/telemetry/extra',
    'sensors/abc/config',
    'devices/abc/telemetry',
    '$share/iot-ingestor/sensors/abc/telemetry',
  ])('finds no device in %p', (topic) => {
    expect(deviceIdFromMqttTopic(topic)).toBeUndefined();
  });

  it('builds topics that parse back to the same device', () => {
    fc.assert(
      fc.property(safeId, (id) => {
        expect(parseMqttTopic(mqttTelemetryTopic(id))).toEqual({ deviceId: id, kind: 'telemetry' });
        expect(parseMqttTopic(mqttStatusTopic(id))).toEqual({ deviceId: id, kind: 'status' });
      }),
    );
    fc.assert(
      fc.property(unsafeId, (id) => {
        expect(() => mqttTelemetryTopic(id)).toThrow(ContractViolationError);
      }),
    );
  });
});
