import { toSendError } from '@streamline/messaging';
import { toErrorResponse } from '@streamline/platform';
import { EVENT_PRODUCER_ERROR_STATUSES } from './error-statuses';

/** kafkajs-shaped errors, as kafkajs 2.2.4 nests them. */
function kafkajs(name: string, message: string, fields: Record<string, unknown>, cause?: Error) {
  return Object.assign(new Error(message, { cause }), { name, ...fields });
}

describe('event-producer error statuses for Kafka failures', () => {
  it('answers 503 + Retry-After when Kafka stayed down past kafkajs retries (not 502)', () => {
    // What the producer gets when the broker dies under a connected producer (seen against a
    // stopped private broker): a non-retriable wrapper around the refused connection.
    const refused = kafkajs(
      'KafkaJSConnectionError',
      'Connection error: connect ECONNREFUSED 127.0.0.1:40767',
      { retriable: true, code: 'ECONNREFUSED' },
    );
    const gaveUp = kafkajs(
      'KafkaJSNonRetriableError',
      refused.message,
      { retriable: false },
      refused,
    );
    const response = toErrorResponse(toSendError(gaveUp), EVENT_PRODUCER_ERROR_STATUSES);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toMatchObject({ code: 'KAFKA_SEND_FAILED', retryable: true });
  });

  it('answers 502 when Kafka refused the record itself', () => {
    const tooLarge = kafkajs(
      'KafkaJSProtocolError',
      'The request included a message larger than the max message size the server will accept',
      {
        retriable: false,
        type: 'MESSAGE_TOO_LARGE',
      },
    );
    const wrapped = kafkajs(
      'KafkaJSNonRetriableError',
      tooLarge.message,
      { retriable: false },
      tooLarge,
    );
    const response = toErrorResponse(toSendError(wrapped), EVENT_PRODUCER_ERROR_STATUSES);
    expect(response.status).toBe(502);
    expect(response.headers['retry-after']).toBeUndefined();
    expect(response.body).toMatchObject({ code: 'KAFKA_SEND_REJECTED', retryable: false });
  });
});
