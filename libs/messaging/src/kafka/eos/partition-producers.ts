import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';
import { transactionalIdFor } from './transaction-chunks';

/** A partition's transactional producer; `fresh` until its first batch checked the committed offset. */
export interface PartitionSlot {
  producer: Producer;
  transactionalId: string;
  fresh: boolean;
  /** The partition's state rebuild (onPartitionReady), started once per producer. */
  prepared?: Promise<void>;
}

/**
 * One transactional producer per input partition. Creating one runs InitProducerId for the
 * partition's transactional id, which bumps the epoch: a zombie that still holds the old
 * producer is fenced, and a transaction it left open is aborted (or, if it was already
 * committing, completed) before this call returns.
 */
export class PartitionProducers {
  private readonly slots = new Map<string, Promise<PartitionSlot>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: {
      transactionalIdPrefix: string;
      transactionTimeoutMs: number;
      logger: MessagingLogger;
    },
  ) {}

  static key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  /** The partition's producer, created and fenced in if there is none. */
  acquire(topic: string, partition: number): Promise<PartitionSlot> {
    const key = PartitionProducers.key(topic, partition);
    const existing = this.slots.get(key);
    if (existing !== undefined) return existing;
    const slot = this.create(topic, partition);
    this.slots.set(key, slot);
    // A failed creation must not stick: the next batch tries again.
    slot.catch(() => {
      if (this.slots.get(key) === slot) this.slots.delete(key);
    });
    return slot;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  keys(): string[] {
    return [...this.slots.keys()];
  }

  /** Disconnects a partition's producer; a transaction it left open is for the next owner to abort. */
  async drop(key: string): Promise<void> {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    try {
      await (await slot).producer.disconnect();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'transactional producer disconnect failed');
    }
  }

  async dropAll(): Promise<void> {
    await Promise.all(this.keys().map((key) => this.drop(key)));
  }

  private async create(topic: string, partition: number): Promise<PartitionSlot> {
    const transactionalId = transactionalIdFor(
      this.options.transactionalIdPrefix,
      topic,
      partition,
    );
    const producer = this.kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.options.transactionTimeoutMs,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // The broker answers CONCURRENT_TRANSACTIONS while the previous commit's markers are
      // being written (a few ms): retry that quickly, as the Java client does, not after 300 ms.
      retry: { initialRetryTime: 10, maxRetryTime: 5_000, retries: 15 },
    });
    await producer.connect();
    try {
      // kafkajs runs InitProducerId lazily, at the first transaction: force it now, so the
      // fencing happens before this owner reads the committed offset.
      const init = await producer.transaction();
      await init.abort();
    } catch (error) {
      // The fencing error is the one worth reporting; a failed cleanup only adds noise.
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.options.logger.info({ transactionalId }, 'transactional producer fenced in');
    return { producer, transactionalId, fresh: true };
  }
}
