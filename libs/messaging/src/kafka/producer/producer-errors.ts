import { NonRetryableError, ProcessingError, RetryableError } from '../../errors/processing-error';

/** The record was not acknowledged within the producer's delivery timeout; it may or may not be written. */
export class KafkaDeliveryTimeoutError extends RetryableError {
  constructor(topic: string, timeoutMs: number) {
    super(
      'KAFKA_DELIVERY_TIMEOUT',
      `record for ${topic} not acknowledged within the delivery timeout of ${timeoutMs} ms`,
    );
  }
}

/** The producer is closing or closed; another instance (or a later attempt) can send it. */
export class KafkaProducerClosedError extends RetryableError {
  constructor() {
    super('KAFKA_PRODUCER_CLOSED', 'the Kafka producer is closed and accepts no more records');
  }
}

/** The linger buffer holds `bufferMaxBytes` already: the caller sends faster than Kafka acknowledges. */
export class KafkaProducerBufferFullError extends RetryableError {
  constructor(bufferMaxBytes: number) {
    super(
      'KAFKA_PRODUCER_BUFFER_FULL',
      `the producer buffer is full (${bufferMaxBytes} bytes waiting for Kafka)`,
    );
  }
}

/** kafkajs errors carry `retriable`; these names mean kafkajs gave up on a fault that may pass. */
const RETRYABLE_AFTER_GIVING_UP = new Set([
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSLockTimeout',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
]);

/**
 * Turns whatever a kafkajs send rejected with into a ProcessingError: retryable when a later
 * attempt may pass (broker down, retries exhausted), not when Kafka refused the record itself
 * (too large, invalid, not authorised).
 */
export function toSendError(error: unknown): ProcessingError {
  if (error instanceof ProcessingError) return error;
  if (!(error instanceof Error)) {
    return new RetryableError('KAFKA_SEND_FAILED', String(error));
  }
  const declared = error as Error & { retriable?: unknown; type?: unknown };
  const retryable = RETRYABLE_AFTER_GIVING_UP.has(error.name) || declared.retriable !== false;
  const type = typeof declared.type === 'string' ? ` (${declared.type})` : '';
  const message = `Kafka send failed: ${error.message}${type}`;
  return retryable
    ? new RetryableError('KAFKA_SEND_FAILED', message, { cause: error })
    : new NonRetryableError('KAFKA_SEND_REJECTED', message, { cause: error });
}
