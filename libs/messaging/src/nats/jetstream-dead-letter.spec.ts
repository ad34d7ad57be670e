import { HEADERS, NATS_DLQ_HEADERS } from '@streamline/contracts';
import {
  natsDeadLetterHeaders,
  natsDeadLetterMsgId,
  type NatsDeadLetter,
} from './jetstream-dead-letter';

const letter: NatsDeadLetter = {
  service: 'cdc-sink',
  stream: 'ALERTS',
  consumer: 'cdc-sink-alerts-v1',
  subject: 'alerts.telemetry.dev-1',
  streamSequence: 42,
  timestampMs: 1_700_000_000_000,
  deliveries: 5,
  failure: { errorClass: 'RetryableError', message: 'database unavailable' },
};

describe('NATS dead-letter headers', () => {
  it('keeps the original headers and adds the dlq.* headers', () => {
    const headers = natsDeadLetterHeaders(
      { schema: 'alerts.telemetry/1', traceparent: '00-abc-def-01' },
      letter,
    );
    expect(headers).toEqual({
      schema: 'alerts.telemetry/1',
      traceparent: '00-abc-def-01',
      [HEADERS.DLQ_ORIGIN_TOPIC]: 'nats:alerts.telemetry.dev-1',
      [HEADERS.DLQ_ORIGIN_OFFSET]: '42',
      [HEADERS.DLQ_ORIGIN_TIMESTAMP]: '1700000000000',
      [NATS_DLQ_HEADERS.ORIGIN_STREAM]: 'ALERTS',
      [NATS_DLQ_HEADERS.ORIGIN_CONSUMER]: 'cdc-sink-alerts-v1',
      [NATS_DLQ_HEADERS.ORIGIN_SUBJECT]: 'alerts.telemetry.dev-1',
      [HEADERS.DLQ_SERVICE]: 'cdc-sink',
      [HEADERS.DLQ_ERROR_CLASS]: 'RetryableError',
      [HEADERS.DLQ_ERROR_MESSAGE]: 'database unavailable',
      [HEADERS.DLQ_ATTEMPTS]: '5',
    });
  });

  it('drops Nats-* control headers, which would de-duplicate or constrain the dead letter', () => {
    const headers = natsDeadLetterHeaders(
      { 'Nats-Msg-Id': 'alert-1', 'nats-expected-stream': 'ALERTS', schema: 's/1' },
      letter,
    );
    expect(Object.keys(headers).filter((k) => k.toLowerCase().startsWith('nats-'))).toEqual([]);
    expect(headers['schema']).toBe('s/1');
  });

  it('bounds the error message and identifies the letter by origin and consumer', () => {
    const long = { ...letter, failure: { errorClass: 'E', message: 'x'.repeat(5_000) } };
    expect(natsDeadLetterHeaders({}, long)[HEADERS.DLQ_ERROR_MESSAGE]).toHaveLength(1_000);
    expect(natsDeadLetterMsgId(letter)).toBe('ALERTS:cdc-sink-alerts-v1:42');
  });
});
