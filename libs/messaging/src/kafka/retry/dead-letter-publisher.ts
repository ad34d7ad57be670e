import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';
import type { BackoffPolicy } from './backoff';
import type { OutgoingFailureRecord } from './failure-headers';
import { sendUntilAcknowledged } from './send-until-acknowledged';

/** Where failed records are written: `<topic>.retry` and `<topic>.dlq`. */
export interface DeadLetterSink {
  send(topic: string, record: OutgoingFailureRecord): Promise<void>;
}

/** Backoff between attempts to write a failure record that Kafka refused. */
const PUBLISH_BACKOFF: BackoffPolicy = {
  initialMs: 200,
  maxMs: 10_000,
  multiplier: 2,
  jitter: 0.2,
};

/** Creates the idempotent producer (acks=-1) the failure path writes with. */
export function createDeadLetterProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    // Unlimited retries keep the idempotence guarantee; each wait is capped so a topic that
    // appears (or a broker that returns) is noticed within seconds.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
}

/** A sink over a kafkajs producer; every write waits for all in-sync replicas. */
export class KafkaDeadLetterSink implements DeadLetterSink {
  constructor(private readonly producer: Producer) {}

  async send(topic: string, record: OutgoingFailureRecord): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      messages: [{ key: record.key, value: record.value, headers: record.headers }],
    });
  }
}

/**
 * Writes a failure record until Kafka acknowledges it. Nothing is ever skipped: a refused
 * write is retried with backoff, and only an abort (shutdown, lost partition) ends the wait,
 * with `false`, so the caller does not commit the record and it is delivered again.
 */
export async function publishUntilAcknowledged(
  sink: DeadLetterSink,
  topic: string,
  record: OutgoingFailureRecord,
  signal: AbortSignal,
  logger: MessagingLogger,
): Promise<boolean> {
  const result = await sendUntilAcknowledged(
    (r: OutgoingFailureRecord) => sink.send(topic, r),
    [record],
    {
      backoff: PUBLISH_BACKOFF,
      signal,
      onRetry: ({ attempt, failure, delayMs }) =>
        logger.error(
          { topic, failures: attempt, delayMs, err: failure },
          'writing a failed record to its retry/dead-letter topic failed; the partition waits and tries again',
        ),
    },
  );
  return !result.aborted;
}
