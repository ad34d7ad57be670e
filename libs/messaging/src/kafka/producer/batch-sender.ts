import type {
  CompressionTypes,
  Kafka,
  Message,
  Producer,
  RecordMetadata,
  RetryOptions,
} from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';
import { createStablePartitioner } from './stable-partitioner';

/** Where and when Kafka stored a record (acks=all). */
export interface DeliveryReport {
  topic: string;
  partition: number;
  offset: string;
  /** Epoch ms: CreateTime, or LogAppendTime when the topic uses it. */
  timestamp: string;
}

/** One encoded record of a batch. */
export interface OutgoingMessage {
  topic: string;
  message: Message;
}

export interface BatchSenderOptions {
  requestTimeoutMs: number;
  compression: CompressionTypes;
  allowAutoTopicCreation: boolean;
  /** kafkajs' retries of a produce request (the client's when absent). */
  retry?: RetryOptions;
  logger: MessagingLogger;
}

/**
 * Owns the idempotent kafkajs producer and sends one batch at a time with acks=all,
 * answering each record's own partition and offset.
 */
export class IdempotentBatchSender {
  private readonly assignments = new WeakMap<object, number>();
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  /** The producer whose connect is under way, so that disconnect can stop it too. */
  private creating: Producer | undefined;
  /**
   * kafkajs rolls sequence numbers back when a request fails, even when the broker may have
   * written it (a timeout). The next, different records would then reuse those numbers and
   * be dropped by the broker as duplicates: so after any failure the producer id is replaced.
   */
  private needsReset = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: BatchSenderOptions,
  ) {}

  /** Connects the producer if it is not connected (and replaces it after a failure). */
  async connect(): Promise<Producer> {
    if (this.needsReset && this.producer !== undefined) {
      this.needsReset = false;
      const stale = this.producer;
      this.producer = undefined;
      await stale.disconnect().catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'Kafka producer reset: disconnect failed');
      });
    }
    if (this.producer !== undefined) return this.producer;
    this.connecting ??= this.createProducer().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Sends the records in one request per broker; resolves with a report per record, in order. */
  async send(records: readonly OutgoingMessage[]): Promise<DeliveryReport[]> {
    try {
      const producer = await this.connect();
      const byTopic = new Map<string, Message[]>();
      for (const record of records) {
        const messages = byTopic.get(record.topic);
        if (messages === undefined) byTopic.set(record.topic, [record.message]);
        else messages.push(record.message);
      }
      const response = await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: -1,
        timeout: this.options.requestTimeoutMs,
        compression: this.options.compression,
      });
      return this.reportsFor(records, response);
    } catch (error) {
      this.needsReset = true;
      throw error;
    }
  }

  /** Disconnects the producer, and one still connecting (whose connect then fails). */
  async disconnect(): Promise<void> {
    const producers = [this.producer, this.creating];
    this.producer = undefined;
    this.creating = undefined;
    for (const producer of producers) if (producer !== undefined) await producer.disconnect();
  }

  /** Kafka answers one base offset per partition; the records of a partition follow in send order. */
  private reportsFor(
    records: readonly OutgoingMessage[],
    response: RecordMetadata[],
  ): DeliveryReport[] {
    const bases = new Map<string, RecordMetadata>();
    for (const entry of response) bases.set(`${entry.topicName}\u0000${entry.partition}`, entry);
    const seen = new Map<string, number>();
    return records.map((record) => {
      const partition = this.assignments.get(record.message) ?? record.message.partition ?? -1;
      const key = `${record.topic}\u0000${partition}`;
      const index = seen.get(key) ?? 0;
      seen.set(key, index + 1);
      const base = bases.get(key);
      const appendTime = base?.logAppendTime;
      return {
        topic: record.topic,
        partition,
        offset:
          base?.baseOffset === undefined
            ? '-1'
            : (BigInt(base.baseOffset) + BigInt(index)).toString(),
        timestamp:
          appendTime !== undefined && appendTime !== '-1'
            ? appendTime
            : String(record.message.timestamp),
      };
    });
  }

  private async createProducer(): Promise<Producer> {
    const producer = this.kafka.producer({
      idempotent: true,
      // kafkajs already serialises produce requests per broker for an idempotent producer;
      // one request per connection keeps ordering safe even if that ever changed.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: this.options.allowAutoTopicCreation,
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      createPartitioner: createStablePartitioner(this.assignments),
    });
    this.creating = producer;
    try {
      await producer.connect();
    } catch (error) {
      // The connect error is the one worth reporting; a failed cleanup only adds noise.
      await producer.disconnect().catch(() => undefined);
      throw error;
    } finally {
      if (this.creating === producer) this.creating = undefined;
    }
    this.producer = producer;
    return producer;
  }
}
