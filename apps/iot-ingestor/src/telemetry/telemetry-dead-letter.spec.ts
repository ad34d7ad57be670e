import { HEADERS } from '@streamline/contracts';
import { DLQ_VALUE_TRUNCATED_FROM, deadLetterRecord } from './telemetry-dead-letter';
import { TELEMETRY_FAULTS } from './telemetry-faults';

const CONTEXT = {
  dlqTopic: 'iot.telemetry.v1.dlq',
  mqttTopic: 'sensors/d/telemetry',
  key: 'd',
  receivedAt: 1_700_000_000_000,
  service: 'iot-ingestor',
  maxValueBytes: 8,
};

describe('deadLetterRecord', () => {
  it('keeps a value that fits byte for byte, with the trace context', () => {
    const value = Buffer.from([0, 1, 2, 0xff]);
    const record = deadLetterRecord(
      { kind: TELEMETRY_FAULTS.INVALID_JSON, message: 'bad', value },
      { ...CONTEXT, traceparent: 'tp' },
    );
    expect(record.value).toBe(value);
    expect(record.headers?.[HEADERS.TRACEPARENT]).toBe('tp');
    expect(record.headers?.[DLQ_VALUE_TRUNCATED_FROM]).toBeUndefined();
  });

  it('cuts a value Kafka could not hold and says how long it was', () => {
    const record = deadLetterRecord(
      { kind: TELEMETRY_FAULTS.PAYLOAD_TOO_LARGE, message: 'big', value: Buffer.alloc(20, 1) },
      CONTEXT,
    );
    expect((record.value as Buffer).length).toBe(8);
    expect(record.headers?.[DLQ_VALUE_TRUNCATED_FROM]).toBe('20');
  });

  it('cuts a reason that would make the record too large', () => {
    const record = deadLetterRecord(
      {
        kind: TELEMETRY_FAULTS.CONTRACT_VIOLATION,
        message: 'x'.repeat(5_000),
        value: Buffer.from('{}'),
      },
      CONTEXT,
    );
    expect(String(record.headers?.[HEADERS.DLQ_ERROR_MESSAGE])).toHaveLength(2_000);
  });
});
