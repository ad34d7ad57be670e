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

/** Socket errors (Node's `code`) that mean the broker is away, not that the record is wrong. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** How deep the cause chain is walked (kafkajs nests two or three levels; this bounds a cycle). */
const MAX_CAUSE_DEPTH = 8;

type KafkaJsLike = Error & { retriable?: unknown; type?: unknown; code?: unknown };

/** The error and its causes, outermost first (bounded, and a cycle stops the walk). */
export function causeChain(error: Error): Error[] {
  const chain: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < MAX_CAUSE_DEPTH && !chain.includes(current)) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

/**
 * Whether a later attempt may pass. kafkajs wraps "retries exhausted" in a non-retriable
 * KafkaJSNonRetriableError whose cause is the real fault (a refused connection, a timeout), so the
 * outermost `retriable: false` says nothing: the decision is taken on the whole chain. A broker
 * refusal of the record itself (a protocol error kafkajs marks non-retriable: MESSAGE_TOO_LARGE,
 * INVALID_RECORD, TOPIC_AUTHORIZATION_FAILED...) anywhere in the chain is final; otherwise any
 * link that is a transient fault makes the whole retryable, and a chain where kafkajs only says
 * "non-retriable" (a malformed request it refused before sending) is final.
 */
function isRetryable(chain: readonly KafkaJsLike[]): boolean {
  if (chain.some((link) => link.name === 'KafkaJSProtocolError' && link.retriable === false)) {
    return false;
  }
  const transient = chain.some(
    (link) =>
      RETRYABLE_AFTER_GIVING_UP.has(link.name) ||
      link.retriable === true ||
      (typeof link.code === 'string' && UNREACHABLE.has(link.code)),
  );
  // An error that says nothing of retrying (not from kafkajs) is more often a passing fault.
  return transient || !chain.some((link) => link.retriable === false);
}

/**
 * Turns whatever a kafkajs send rejected with into a ProcessingError: retryable when a later
 * attempt may pass (broker down, retries exhausted, however deep kafkajs wrapped it), not when
 * Kafka refused the record itself (too large, invalid, not authorised) or kafkajs refused the
 * request as malformed.
 */
export function toSendError(error: unknown): ProcessingError {
  if (error instanceof ProcessingError) return error;
  if (!(error instanceof Error)) {
    return new RetryableError('KAFKA_SEND_FAILED', String(error));
  }
  const chain = causeChain(error) as KafkaJsLike[];
  const types = chain.map((link) => link.type).filter((type) => typeof type === 'string');
  const reasons = [...new Set(chain.map((link) => link.message))].join(': ');
  const message = `Kafka send failed: ${reasons}${types.length > 0 ? ` (${types.join(', ')})` : ''}`;
  return isRetryable(chain)
    ? new RetryableError('KAFKA_SEND_FAILED', message, { cause: error })
    : new NonRetryableError('KAFKA_SEND_REJECTED', message, { cause: error });
}
