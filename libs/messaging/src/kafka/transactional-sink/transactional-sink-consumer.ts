import { EventEmitter } from 'node:events';
import type { Consumer, EachBatchPayload, Producer } from 'kafkajs';
import { classifyError } from '../../errors/processing-error';
import { ConsumerMetrics } from '../metrics/consumer-metrics';
import { computeBackoffMs } from '../retry/backoff';
import {
  createDeadLetterProducer,
  KafkaDeadLetterSink,
  type DeadLetterSink,
} from '../retry/dead-letter-publisher';
import { splitIntoChunks, type RejectedRecord, type SinkChunk } from './sink-batch';
import {
  resolveSinkSettings,
  type SinkRecord,
  type SinkSettings,
  type SinkTopic,
  type TransactionalSinkOptions,
} from './sink-options';
import { writeDeadLetters } from './sink-dead-letters';
import { applyChunk, FencedError, findRefused, type ChunkTarget } from './sink-transaction';
import { inTransaction, isRetryableSqlError, SqlOffsetStore } from './sql-offset-store';

/** What the sink reports as it runs (readiness, logs and tests listen). */
export interface TransactionalSinkEvents {
  'store.unavailable': [{ error: unknown }];
  'store.available': [];
  'batch.committed': [{ topic: string; partition: number; nextOffset: string; records: number }];
}

/** Kafka's "earliest" for seek: where a partition with no stored position starts. */
const EARLIEST = '-2';
const HEARTBEAT_STEP_MS = 1_000;

/**
 * A Kafka consumer whose position lives in the database: each partition batch's rows and the
 * partition's next offset commit in ONE SQL transaction, so a crash anywhere leaves the table
 * and the position consistent (an exactly-once effect). On every assignment the partition seeks
 * to the stored offset; Kafka's own commit follows the database's and is only advisory (for lag
 * tools). A record that cannot be decoded or that the table refuses goes to `<topic>.dlq` and
 * the partition moves on; while the database is unavailable every topic is paused and the
 * batch in hand is retried with backoff, so nothing is skipped.
 */
export class TransactionalSinkConsumer {
  readonly events = new EventEmitter<TransactionalSinkEvents>();
  private readonly settings: SinkSettings;
  private readonly consumer: Consumer;
  private readonly producer: Producer | undefined;
  private readonly deadLetters: DeadLetterSink;
  private readonly offsets: SqlOffsetStore;
  private readonly topics: ReadonlyMap<string, SinkTopic>;
  /** The consumer metrics every service shows (processed = rows committed, lag from the table's position). */
  private readonly metrics: ConsumerMetrics;
  /** Stored position per `topic|partition` since this generation's first batch of it. */
  private readonly positions = new Map<string, { expected: string | undefined }>();
  private unavailableSince: number | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: TransactionalSinkOptions) {
    this.settings = resolveSinkSettings(options);
    const s = this.settings;
    this.topics = new Map(s.topics.map((t) => [t.topic, t]));
    this.offsets = new SqlOffsetStore(s.offsetsTable);
    this.metrics = new ConsumerMetrics(s.groupId);
    this.consumer = s.kafka.consumer({
      groupId: s.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: s.sessionTimeoutMs,
      minBytes: s.minBatchBytes,
      maxWaitTimeInMs: s.maxBatchDelayMs,
      maxBytesPerPartition: s.maxBytesPerPartition,
      maxBytes: s.maxBytesPerFetch,
    });
    this.producer = s.deadLetterSink ? undefined : createDeadLetterProducer(s.kafka);
    this.deadLetters = s.deadLetterSink ?? new KafkaDeadLetterSink(this.producer as Producer);
    // Another member may have moved any partition on: every assignment re-reads the table.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.positions.clear());
  }

  /** False while the database refuses writes (the sink is paused). */
  get storeAvailable(): boolean {
    return this.unavailableSince === undefined;
  }

  /** Connects, joins the group and starts consuming. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`cannot start a sink that is ${this.state}`);
    await this.producer?.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.topics.keys()], fromBeginning: true });
    this.state = 'running';
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.settings.logger.info(
      { group: this.settings.groupId, topics: [...this.topics.keys()] },
      'transactional sink started',
    );
  }

  /** Stops after the transaction in hand; nothing uncommitted is lost (it is read again). */
  async stop(): Promise<void> {
    this.state = 'stopped';
    await this.consumer.disconnect();
    await this.producer?.disconnect();
    this.metrics.close();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const sink = this.topics.get(batch.topic);
    if (!sink || !this.wanted(payload)) return;
    const key = `${batch.topic}|${batch.partition}`;
    let position = this.positions.get(key);
    if (!position) {
      const stored = await this.loadPosition(batch.topic, batch.partition, payload);
      if (stored === null || !this.wanted(payload)) return;
      position = { expected: stored };
      this.positions.set(key, position);
      // Positioned once per assignment: a compacted topic may have no record at the stored offset.
      if (batch.messages[0]?.offset !== stored) {
        this.consumer.seek({
          topic: batch.topic,
          partition: batch.partition,
          offset: stored ?? EARLIEST,
        });
        return;
      }
    }
    const chunks = splitIntoChunks(
      sink,
      batch.partition,
      batch.messages,
      position.expected,
      this.settings.maxBatchRecords,
    );
    for (const chunk of chunks) {
      if (!this.wanted(payload)) return;
      const committed = await this.commitChunk(sink, batch.partition, chunk, position, payload);
      if (!committed) return;
      payload.resolveOffset((BigInt(chunk.nextOffset) - 1n).toString());
      const lag = Number(BigInt(batch.highWatermark) - BigInt(chunk.nextOffset));
      this.metrics.setLag(batch.topic, batch.partition, lag);
      this.adviseKafka(batch.topic, batch.partition, chunk.nextOffset);
      await payload.heartbeat();
    }
  }

  /** Takes one chunk to a committed transaction; false when stopped, revoked or fenced first. */
  private async commitChunk(
    sink: SinkTopic,
    partition: number,
    chunk: SinkChunk,
    position: { expected: string | undefined },
    payload: EachBatchPayload,
  ): Promise<boolean> {
    const target: ChunkTarget = {
      sink,
      group: this.settings.groupId,
      partition,
      chunk,
      expected: position.expected,
      offsets: this.offsets,
    };
    let records = chunk.records;
    let rejected: RejectedRecord[] = chunk.rejected;
    for (let failures = 1; ; failures++) {
      try {
        // Dead letters first: once the stored offset moves past them they must be in Kafka.
        if (!(await this.deadLetter(sink.topic, partition, rejected, payload))) return false;
        rejected = [];
        const current = records;
        await inTransaction(this.settings.pool, (client) => applyChunk(client, target, current), {
          synchronousCommit: this.settings.synchronousCommit,
        });
        position.expected = chunk.nextOffset;
        this.markAvailable();
        const metrics = this.metrics.topic(sink.topic);
        for (let i = 0; i < records.length; i++) metrics.processed();
        const committed = { topic: sink.topic, partition, nextOffset: chunk.nextOffset };
        this.settings.afterDatabaseCommit?.({ ...committed, records: records.length });
        this.events.emit('batch.committed', { ...committed, records: records.length });
        return true;
      } catch (error: unknown) {
        if (error instanceof FencedError) {
          this.settings.logger.warn(
            { group: this.settings.groupId, topic: sink.topic, partition, err: error },
            'partition moved on in the database (another member owns it); batch rolled back',
          );
          this.positions.delete(`${sink.topic}|${partition}`);
          return false;
        }
        if (isRetryableSqlError(error)) {
          this.markUnavailable(error);
        } else {
          // Some record breaks the table (a constraint, a value out of range): find which.
          const refused = await this.tryFindRefused(sink, records, chunk, payload);
          if (refused === null) return false;
          if (refused.length > 0) {
            rejected = refused;
            const refusedOffsets = new Set(refused.map((r) => r.message.offset));
            records = records.filter((r) => !refusedOffsets.has(r.offset));
            continue;
          }
          this.settings.logger.error(
            { group: this.settings.groupId, topic: sink.topic, partition, err: error },
            'batch refused although each record alone is accepted; retrying',
          );
        }
        const delayMs = computeBackoffMs(failures, this.settings.storeRetry);
        if (!(await this.waitWhileWanted(delayMs, payload))) return false;
      }
    }
  }

  /** The refused records; null when the consumer stopped waiting for the database. */
  private async tryFindRefused(
    sink: SinkTopic,
    records: readonly SinkRecord<unknown>[],
    chunk: SinkChunk,
    payload: EachBatchPayload,
  ): Promise<RejectedRecord[] | null> {
    for (let failures = 1; ; failures++) {
      try {
        return await findRefused(this.settings.pool, sink, records, chunk.sources);
      } catch (error: unknown) {
        if (!isRetryableSqlError(error)) throw error;
        this.markUnavailable(error);
        const delayMs = computeBackoffMs(failures, this.settings.storeRetry);
        if (!(await this.waitWhileWanted(delayMs, payload))) return null;
      }
    }
  }

  private deadLetter(
    topic: string,
    partition: number,
    rejected: readonly RejectedRecord[],
    payload: EachBatchPayload,
  ): Promise<boolean> {
    return writeDeadLetters(
      {
        sink: this.deadLetters,
        service: this.settings.service,
        group: this.settings.groupId,
        logger: this.settings.logger,
        metrics: this.metrics,
      },
      { topic, partition, rejected },
      () => this.wanted(payload),
    );
  }

  /** The stored offset (undefined: none yet), or null when the consumer stopped waiting. */
  private async loadPosition(
    topic: string,
    partition: number,
    payload: EachBatchPayload,
  ): Promise<string | undefined | null> {
    for (let failures = 1; ; failures++) {
      try {
        const stored = await inTransaction(this.settings.pool, (client) =>
          this.offsets.load(client, this.settings.groupId, topic),
        );
        this.markAvailable();
        return stored.get(partition);
      } catch (error: unknown) {
        this.markUnavailable(error);
        const delayMs = computeBackoffMs(failures, this.settings.storeRetry);
        if (!(await this.waitWhileWanted(delayMs, payload))) return null;
      }
    }
  }

  /** Sleeps in steps, heartbeating; false as soon as the batch is no longer wanted. */
  private async waitWhileWanted(ms: number, payload: EachBatchPayload): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!this.wanted(payload)) return false;
      const step = Math.min(HEARTBEAT_STEP_MS, until - Date.now());
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, step)));
      try {
        await payload.heartbeat();
      } catch (error: unknown) {
        // A rebalance: the partition may go elsewhere, the batch is read again from the table's offset.
        this.settings.logger.info(
          { err: error },
          'heartbeat failed while waiting for the database',
        );
        return false;
      }
    }
    return this.wanted(payload);
  }

  private wanted(payload: EachBatchPayload): boolean {
    return this.state === 'running' && payload.isRunning() && !payload.isStale();
  }

  private markUnavailable(error: unknown): void {
    if (this.unavailableSince === undefined) {
      this.unavailableSince = Date.now();
      this.consumer.pause([...this.topics.keys()].map((topic) => ({ topic })));
      this.settings.logger.error(
        { group: this.settings.groupId, err: error, code: classifyError(error).code },
        'database unavailable: the sink pauses and retries the batch in hand',
      );
      this.events.emit('store.unavailable', { error });
    }
  }

  private markAvailable(): void {
    if (this.unavailableSince === undefined) return;
    const pausedMs = Date.now() - this.unavailableSince;
    this.unavailableSince = undefined;
    this.consumer.resume([...this.topics.keys()].map((topic) => ({ topic })));
    this.settings.logger.warn({ group: this.settings.groupId, pausedMs }, 'database back: resumed');
    this.events.emit('store.available');
  }

  /** Kafka's commit follows the table's; a failure only delays what lag tools show. */
  private adviseKafka(topic: string, partition: number, offset: string): void {
    this.consumer.commitOffsets([{ topic, partition, offset }]).catch((error: unknown) => {
      this.settings.logger.debug(
        { topic, partition, offset, err: error },
        'advisory commit failed',
      );
    });
  }
}
