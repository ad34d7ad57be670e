import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';
import { sleep } from '../retry/abortable-wait';
import { computeBackoffMs, type BackoffPolicy } from '../retry/backoff';

/** Consecutive records of one partition, handed to a batch handler. */
export interface RecordBatch {
  topic: string;
  partition: number;
  messages: readonly KafkaMessage[];
}

export interface KafkaBatchConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  logger: MessagingLogger;
  /**
   * Stores a batch. Resolving means it is durable: the offsets after it are committed then.
   * A rejection retries the same batch after a backoff; nothing is ever skipped.
   */
  handler: (batch: RecordBatch) => Promise<void>;
  /** Most records per handler call. Default 500. */
  maxRecordsPerCall?: number;
  /** Where a group with no committed offset starts. Default true: nothing written before is missed. */
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
  maxWaitTimeMs?: number;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  /** Backoff between attempts of a failing batch. */
  retryBackoff?: BackoffPolicy;
}

const DEFAULT_RETRY_BACKOFF: BackoffPolicy = {
  initialMs: 500,
  maxMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
};

/**
 * At-least-once batch consumption into a store: each fetched batch is handed over in chunks,
 * and a chunk's offsets are committed only after its handler resolved. A sink that makes its
 * writes idempotent (e.g. unique on topic+partition+offset) gets an exactly-once effect.
 */
export class KafkaBatchConsumer {
  private readonly consumer: Consumer;
  private readonly abort = new AbortController();

  constructor(private readonly options: KafkaBatchConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 250,
      ...(options.maxBytesPerPartition
        ? { maxBytesPerPartition: options.maxBytesPerPartition }
        : {}),
      ...(options.sessionTimeoutMs ? { sessionTimeout: options.sessionTimeoutMs } : {}),
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Stops after the running handler calls; what they stored is committed. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.consumer.disconnect();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const size = Math.max(1, this.options.maxRecordsPerCall ?? 500);
    for (let start = 0; start < batch.messages.length; start += size) {
      const messages = batch.messages.slice(start, start + size);
      const last = messages[messages.length - 1];
      if (!last || !(await this.handleUntilStored(payload, messages))) return;
      payload.resolveOffset(last.offset);
      await this.consumer.commitOffsets([
        {
          topic: batch.topic,
          partition: batch.partition,
          offset: String(BigInt(last.offset) + 1n),
        },
      ]);
      await payload.heartbeat();
    }
  }

  /** True once stored; false when the consumer stops or loses the partition first. */
  private async handleUntilStored(
    payload: EachBatchPayload,
    messages: readonly KafkaMessage[],
  ): Promise<boolean> {
    const { topic, partition } = payload.batch;
    for (let failures = 1; ; failures++) {
      if (!payload.isRunning() || payload.isStale() || this.abort.signal.aborted) return false;
      try {
        await this.options.handler({ topic, partition, messages });
        return true;
      } catch (error) {
        const delayMs = computeBackoffMs(
          failures,
          this.options.retryBackoff ?? DEFAULT_RETRY_BACKOFF,
        );
        this.options.logger.error(
          { topic, partition, records: messages.length, failures, delayMs, err: error },
          'storing a batch failed; the partition waits and tries the same records again',
        );
        if (!(await sleep(delayMs, this.abort.signal))) return false;
        // Keeps the membership alive through a long outage of the store.
        await payload.heartbeat().catch(() => undefined);
      }
    }
  }
}
