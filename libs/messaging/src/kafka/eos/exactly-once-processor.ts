import type { Admin, Batch, Consumer, EachBatchPayload, Message, Producer } from 'kafkajs';
import { silentLogger, type MessagingLogger } from '../../logging/messaging-logger';
import { resolveProducerOptions } from '../producer/producer-options';
import { encodeRecord } from '../producer/producer-record';
import {
  resolveEosOptions,
  type ExactlyOnceProcessorOptions,
  type OutputRecord,
  type OwnedPartition,
  type PartitionContext,
  type ResolvedEosOptions,
} from './eos-options';
import { PartitionProducers, type PartitionSlot } from './partition-producers';
import { chunkBatch, type TransactionChunk } from './transaction-chunks';
import { computeBackoffMs } from '../retry/backoff';

/**
 * Consume-transform-produce with exactly-once effect: each run of input records, the outputs
 * the transform makes of them and the group offset past them commit in one Kafka transaction,
 * or none of it does. Inputs are read `read_committed` with auto-commit off. Each input
 * partition has its own transactional producer (id = prefix + topic + partition), so the
 * instance that takes a partition over fences the one that had it. A failed transaction is
 * aborted and its records are read again from the last committed offset.
 */
export class ExactlyOnceProcessor {
  private readonly options: ResolvedEosOptions;
  private readonly logger: MessagingLogger;
  private readonly producers: PartitionProducers;
  private readonly compression;
  private readonly active = new Set<string>();
  private readonly revoked = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  /** Partitions the group gave this member, by producer key. */
  private readonly owned = new Map<string, OwnedPartition>();
  /** Punctuations in flight, by producer key: a batch of that partition waits for its end. */
  private readonly punctuating = new Map<string, Promise<void>>();
  private punctuateTimer: NodeJS.Timeout | undefined;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;

  constructor(options: ExactlyOnceProcessorOptions) {
    this.options = resolveEosOptions(options);
    this.logger = options.logger ?? silentLogger;
    this.compression = resolveProducerOptions({ compression: options.compression }).compression;
    this.producers = new PartitionProducers(options.kafka, {
      transactionalIdPrefix: options.transactionalIdPrefix,
      transactionTimeoutMs: this.options.transactionTimeoutMs,
      logger: this.logger,
    });
  }

  /** Joins the group and starts processing; resolves once the consumer runs. */
  async start(): Promise<void> {
    if (this.consumer !== undefined) throw new Error('ExactlyOnceProcessor already started');
    const { kafka, groupId } = this.options;
    this.admin = kafka.admin();
    await this.admin.connect();
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      sessionTimeout: this.options.sessionTimeoutMs,
      rebalanceTimeout: this.options.rebalanceTimeoutMs,
      heartbeatInterval: this.options.heartbeatIntervalMs,
      allowAutoTopicCreation: false,
      ...this.options.fetch,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      this.onAssignment(payload.memberAssignment),
    );
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.options.inputTopics],
      fromBeginning: this.options.fromBeginning,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
    if (this.options.punctuate !== undefined) {
      this.punctuateTimer = setInterval(
        () => this.punctuateAll(),
        this.options.punctuateIntervalMs,
      );
    }
  }

  /** Stops consuming after the transactions in flight end, then closes every producer. */
  async stop(): Promise<void> {
    clearInterval(this.punctuateTimer);
    this.punctuateTimer = undefined;
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    await this.consumer?.disconnect();
    this.consumer = undefined;
    await Promise.allSettled([...this.punctuating.values()]);
    for (const partition of this.owned.values()) this.options.onPartitionReleased?.(partition);
    this.owned.clear();
    await this.producers.dropAll();
    await this.admin?.disconnect();
    this.admin = undefined;
  }

  /**
   * Partitions this member lost: their producers go, so a late transaction cannot reuse them.
   * Partitions it gained get their producer and state now, before their first batch arrives,
   * so an idle partition still punctuates.
   */
  private onAssignment(assignment: Record<string, number[]>): void {
    const kept = new Map<string, OwnedPartition>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        kept.set(PartitionProducers.key(topic, partition), { topic, partition });
      }
    }
    for (const [key, partition] of this.owned) {
      if (!kept.has(key)) this.options.onPartitionReleased?.(partition);
    }
    for (const key of this.producers.keys()) {
      if (kept.has(key)) continue;
      const punctuation = this.punctuating.get(key);
      if (this.active.has(key)) this.revoked.add(key);
      else if (punctuation !== undefined) void punctuation.finally(() => this.producers.drop(key));
      else void this.producers.drop(key);
    }
    this.owned.clear();
    for (const [key, partition] of kept) {
      this.owned.set(key, partition);
      if (this.options.onPartitionReady === undefined) continue;
      this.ready(partition.topic, partition.partition).catch((error: unknown) =>
        // The partition's first batch or punctuation tries again, with backoff.
        this.logger.warn({ err: error, ...partition }, 'partition state not ready yet'),
      );
    }
  }

  /** The partition's producer, fenced in, with its state rebuilt (once per producer). */
  private async ready(topic: string, partition: number): Promise<PartitionSlot> {
    const slot = await this.producers.acquire(topic, partition);
    const hook = this.options.onPartitionReady;
    if (hook !== undefined) {
      slot.prepared ??= hook({ topic, partition });
      await slot.prepared;
    }
    return slot;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.isEmpty()) return;
    const key = PartitionProducers.key(batch.topic, batch.partition);
    this.active.add(key);
    this.revoked.delete(key);
    try {
      await this.punctuating.get(key);
      await this.processBatch(payload, key);
    } finally {
      this.active.delete(key);
      if (this.revoked.delete(key)) await this.producers.drop(key);
    }
  }

  private async processBatch(payload: EachBatchPayload, key: string): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const chunks = chunkBatch(
      batch.messages,
      batch.lastOffset(),
      this.options.maxRecordsPerTransaction,
    );
    // Where reading must resume if a transaction fails: past the last one that committed.
    let position = (chunks[0] as TransactionChunk).firstOffset;
    try {
      const slot = await this.ready(batch.topic, batch.partition);
      if (slot.fresh) {
        slot.fresh = false;
        const committed = await this.committedOffset(batch.topic, batch.partition);
        if (committed !== undefined && BigInt(committed) > BigInt(position)) {
          // A predecessor committed these records after this member read its start offset.
          this.logger.info(
            { topic: batch.topic, partition: batch.partition, committed },
            'skipping records a predecessor committed',
          );
          this.seek(batch, committed);
          return;
        }
      }
      for (const chunk of chunks) {
        if (!isRunning() || isStale() || this.revoked.has(key)) return;
        await this.transact(slot.producer, this.contextOf(batch, chunk), chunk);
        position = chunk.nextOffset;
        resolveOffset(chunk.lastOffset);
        this.failures.delete(key);
      }
    } catch (error) {
      await this.producers.drop(key);
      this.backOff(payload, key, position, error);
      return;
    }
    await heartbeat();
  }

  private async transact(
    producer: Producer,
    context: PartitionContext,
    chunk: TransactionChunk,
  ): Promise<void> {
    // The transform runs before the transaction opens, so slow work does not hold it open.
    const outputs = await this.options.transform(chunk.records, context);
    const transaction = await producer.transaction();
    try {
      await this.sendOutputs(transaction, outputs);
      await transaction.sendOffsets({
        consumerGroupId: this.options.groupId,
        topics: [
          {
            topic: context.topic,
            partitions: [{ partition: context.partition, offset: context.nextOffset }],
          },
        ],
      });
      await this.options.beforeCommit?.(context);
      await transaction.commit();
    } catch (error) {
      if (transaction.isActive()) {
        await transaction.abort().catch((abortError: unknown) => {
          // The producer is dropped next; the next owner's InitProducerId aborts it instead.
          this.logger.warn({ err: abortError }, 'transaction abort failed');
        });
      }
      throw error;
    }
  }

  /** Encodes outputs and sends them in one request per transaction, grouped by topic. */
  private async sendOutputs(
    transaction: Pick<Producer, 'sendBatch'>,
    outputs: readonly OutputRecord[],
  ): Promise<void> {
    if (outputs.length === 0) return;
    const now = Date.now();
    const byTopic = new Map<string, Message[]>();
    for (const output of outputs) {
      const { topic, message } = encodeRecord(output, now);
      const messages = byTopic.get(topic);
      if (messages === undefined) byTopic.set(topic, [message]);
      else messages.push(message);
    }
    await transaction.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      compression: this.compression,
    });
  }

  /** One punctuation round: every owned partition that is not busy. */
  private punctuateAll(): void {
    for (const [key, partition] of this.owned) {
      if (this.active.has(key) || this.punctuating.has(key)) continue;
      const run = this.punctuateOne(key, partition).finally(() => this.punctuating.delete(key));
      this.punctuating.set(key, run);
    }
  }

  private async punctuateOne(key: string, owned: OwnedPartition): Promise<void> {
    const punctuate = this.options.punctuate;
    if (punctuate === undefined || (this.failures.get(key) ?? 0) > 0) return;
    try {
      const slot = await this.ready(owned.topic, owned.partition);
      const outputs = await punctuate(owned);
      if (outputs.length === 0 || !this.owned.has(key)) return;
      const transaction = await slot.producer.transaction();
      try {
        await this.sendOutputs(transaction, outputs);
        await transaction.commit();
      } catch (error) {
        if (transaction.isActive()) {
          await transaction.abort().catch((abortError: unknown) => {
            this.logger.warn({ err: abortError }, 'punctuation abort failed');
          });
        }
        throw error;
      }
    } catch (error) {
      // The state may hold what did not commit: a new producer rebuilds it before the next use.
      await this.producers.drop(key);
      this.logger.error({ err: error, ...owned }, 'punctuation failed; state will be rebuilt');
    }
  }

  private backOff(payload: EachBatchPayload, key: string, position: string, error: unknown): void {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    // The library's one backoff function; no jitter: one processor owns the partition.
    const delay = computeBackoffMs(failures, {
      initialMs: this.options.failureBackoffMs,
      maxMs: this.options.maxFailureBackoffMs,
      multiplier: 2,
      jitter: 0,
    });
    const { topic, partition } = payload.batch;
    this.logger.error(
      { err: error, topic, partition, position, failures, retryInMs: delay },
      'transaction aborted; reading again from the last committed offset',
    );
    if (!payload.isRunning()) return;
    this.seek(payload.batch, position);
    const resume = payload.pause();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      resume();
    }, delay);
    this.resumeTimers.add(timer);
  }

  private seek(batch: Batch, offset: string): void {
    this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset });
  }

  private contextOf(batch: Batch, chunk: TransactionChunk): PartitionContext {
    return {
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: chunk.firstOffset,
      lastOffset: chunk.lastOffset,
      nextOffset: chunk.nextOffset,
    };
  }

  private async committedOffset(topic: string, partition: number): Promise<string | undefined> {
    const admin = this.admin;
    if (admin === undefined) return undefined;
    const offsets = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
    const offset = offsets[0]?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || offset === '-1' ? undefined : offset;
  }
}
