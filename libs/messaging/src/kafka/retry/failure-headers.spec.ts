import { HEADERS } from '@streamline/contracts';
import type { KafkaMessage } from 'kafkajs';
import {
  buildDeadLetterRecord,
  buildRetryRecord,
  headerValue,
  MAX_ERROR_HEADER_CHARS,
  RETRY_GROUP_HEADER,
} from './failure-headers';

function message(overrides: Partial<KafkaMessage> = {}): KafkaMessage {
  return {
    key: Buffer.from('device-7'),
    value: Buffer.from([0x7b, 0xff, 0x00]),
    timestamp: '1700000000123',
    attributes: 0,
    offset: '42',
    headers: { schema: Buffer.from('iot.telemetry/1'), 'x-bin': Buffer.from([0xfe, 0x01]) },
    ...overrides,
  } as KafkaMessage;
}

describe('buildRetryRecord', () => {
  it('keeps key, value and headers and adds every retry.* header plus retry.group', () => {
    const original = message();
    const record = buildRetryRecord({
      message: original,
      originTopic: 'iot.telemetry.v1',
      originPartition: 3,
      nextAttempt: 2,
      notBefore: 1_700_000_005_000,
      error: 'UPSTREAM_DOWN: timeout',
      group: 'aggregator.v1',
    });
    expect(record.key).toBe(original.key);
    expect(record.value).toBe(original.value);
    expect(record.headers['x-bin']).toBe(original.headers?.['x-bin']);
    expect(record.headers['schema']).toBe(original.headers?.['schema']);
    expect(record.headers).toMatchObject({
      [HEADERS.RETRY_ATTEMPT]: '2',
      [HEADERS.RETRY_NOT_BEFORE]: '1700000005000',
      [HEADERS.RETRY_ORIGIN_TOPIC]: 'iot.telemetry.v1',
      [HEADERS.RETRY_ORIGIN_PARTITION]: '3',
      [HEADERS.RETRY_ORIGIN_OFFSET]: '42',
      [HEADERS.RETRY_ERROR]: 'UPSTREAM_DOWN: timeout',
      [RETRY_GROUP_HEADER]: 'aggregator.v1',
    });
  });

  it('replaces the retry headers of an earlier attempt', () => {
    const again = message({
      headers: {
        [HEADERS.RETRY_ATTEMPT]: Buffer.from('2'),
        [RETRY_GROUP_HEADER]: Buffer.from('g'),
      },
    });
    const record = buildRetryRecord({
      message: again,
      originTopic: 't',
      originPartition: 0,
      nextAttempt: 3,
      notBefore: 1,
      error: 'E: x',
      group: 'g',
    });
    expect(headerValue(record.headers, HEADERS.RETRY_ATTEMPT)).toBe('3');
  });
});

describe('buildDeadLetterRecord', () => {
  it('keeps the original key, value and headers and adds every dlq.* header', () => {
    const original = message();
    const record = buildDeadLetterRecord({
      message: original,
      originTopic: 'iot.telemetry.v1',
      originPartition: 1,
      service: 'aggregator',
      errorClass: 'ContractViolationError',
      errorMessage: 'iot.telemetry/1 contract violated: metrics: required',
      attempts: 1,
    });
    expect(record.key).toBe(original.key);
    expect(record.value).toBe(original.value);
    for (const [name, value] of Object.entries(original.headers ?? {})) {
      expect(record.headers[name]).toBe(value);
    }
    expect(record.headers).toMatchObject({
      [HEADERS.DLQ_ORIGIN_TOPIC]: 'iot.telemetry.v1',
      [HEADERS.DLQ_ORIGIN_PARTITION]: '1',
      [HEADERS.DLQ_ORIGIN_OFFSET]: '42',
      [HEADERS.DLQ_ORIGIN_TIMESTAMP]: '1700000000123',
      [HEADERS.DLQ_SERVICE]: 'aggregator',
      [HEADERS.DLQ_ERROR_CLASS]: 'ContractViolationError',
      [HEADERS.DLQ_ERROR_MESSAGE]: 'iot.telemetry/1 contract violated: metrics: required',
      [HEADERS.DLQ_ATTEMPTS]: '1',
    });
  });

  it('cuts a very long error message so the dead letter still fits in a record', () => {
    const record = buildDeadLetterRecord({
      message: message(),
      originTopic: 't',
      originPartition: 0,
      service: 's',
      errorClass: 'Error',
      errorMessage: 'x'.repeat(50_000),
      attempts: 5,
    });
    const text = headerValue(record.headers, HEADERS.DLQ_ERROR_MESSAGE) ?? '';
    expect(text.length).toBe(MAX_ERROR_HEADER_CHARS);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('headerValue', () => {
  it('reads strings, buffers and the last of repeated headers', () => {
    expect(headerValue({ a: 'x' }, 'a')).toBe('x');
    expect(headerValue({ a: Buffer.from('y') }, 'a')).toBe('y');
    expect(headerValue({ a: [Buffer.from('1'), Buffer.from('2')] }, 'a')).toBe('2');
    expect(headerValue({}, 'a')).toBeUndefined();
    expect(headerValue(undefined, 'a')).toBeUndefined();
  });
});
