import type { ValidationResult } from '@streamline/contracts';
import type { Kafka } from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';
import type { BackoffPolicy } from '../retry/backoff';
import type { DeadLetterSink } from '../retry/dead-letter-publisher';
import type { SqlClient, SqlPool, StoredPosition } from './sql-offset-store';

/** A decoded record on its way into a table. */
export interface SinkRecord<T> {
  value: T;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** Epoch ms of the record, as a string. */
  timestamp: string;
}

/** One consumed topic: how its values decode and how a batch of them is written. */
export interface SinkTopic<T = unknown> {
  topic: string;
  /**
   * Decodes a value. `{ ok: true, value: null }` means nothing to write (a tombstone); a failed
   * result sends the record to `<topic>.dlq` with the issues as the reason.
   */
  decode(value: Buffer | null): ValidationResult<T | null>;
  /**
   * Writes records (in offset order, at most `maxBatchRecords`) inside the batch's transaction.
   * Throws to fail the batch: a retryable error (see isRetryableSqlError) is retried, anything
   * else sends the records the table refuses to the dead-letter topic one by one.
   */
  write(client: SqlClient, records: readonly SinkRecord<T>[]): Promise<void>;
}

/** Types a topic from its decoder and erases the type for the consumer. */
export function defineSinkTopic<T>(topic: SinkTopic<T>): SinkTopic {
  return topic as unknown as SinkTopic;
}

/** Settings of a TransactionalSinkConsumer. */
export interface TransactionalSinkOptions {
  kafka: Kafka;
  groupId: string;
  /** Written to `dlq.service` of dead letters. */
  service: string;
  logger: MessagingLogger;
  /** Where rows and offsets are written, one transaction per partition batch. */
  pool: SqlPool;
  /** `[schema.]table` with `(consumer_group, topic, partition, next_offset)`, primary key on the first three. */
  offsetsTable: string;
  topics: readonly SinkTopic[];
  /** Most records in one transaction. Default 2000. */
  maxBatchRecords?: number;
  /** The broker answers a fetch once this many bytes are ready... Default 64 KiB. */
  minBatchBytes?: number;
  /** ...or once this much time passed: the time bound of a batch. Default 100 ms. */
  maxBatchDelayMs?: number;
  /** Most bytes one fetch returns per partition. Default 4 MiB. */
  maxBytesPerPartition?: number;
  /**
   * Most bytes one fetch returns in all. Default 24 MiB (six partitions' worth). kafkajs fetches
   * again only once every batch of the last fetch was handled, and the slowest partition of a
   * fetch leaves the others waiting: fewer, larger fetches mean fewer such pauses (kafkajs' own
   * default, 10 MiB, cost the sink a fifth of its throughput in `bench:sink`).
   */
  maxBytesPerFetch?: number;
  /** Partitions written at the same time (each on its own connection). Default 4. */
  partitionsConsumedConcurrently?: number;
  /**
   * Whether a batch's COMMIT waits for the WAL to reach the disk. Default true. false is safe for
   * the exactly-once effect: rows and offsets commit in one transaction, so a Postgres crash can
   * only undo both, and the sink reads those records again from Kafka (the advisory Kafka commit
   * may be ahead: the sink seeks to the table's offsets). What it costs: readers of the table may
   * see rows that a crash takes back until they are written again a moment later.
   */
  synchronousCommit?: boolean;
  /** Waits between attempts while the database is unavailable. */
  storeRetry?: BackoffPolicy;
  sessionTimeoutMs?: number;
  /** Replaces the idempotent producer of the dead-letter path (tests). */
  deadLetterSink?: DeadLetterSink;
  /**
   * Runs after a batch's transaction committed and before Kafka's advisory commit: a test hook
   * for crashing at exactly that point.
   */
  afterDatabaseCommit?: (position: StoredPosition & { records: number }) => void;
}

export const SINK_DEFAULTS = {
  maxBatchRecords: 2_000,
  minBatchBytes: 65_536,
  maxBatchDelayMs: 100,
  maxBytesPerPartition: 4_194_304,
  maxBytesPerFetch: 25_165_824,
  partitionsConsumedConcurrently: 4,
  synchronousCommit: true,
  storeRetry: { initialMs: 250, maxMs: 5_000, multiplier: 2, jitter: 0.2 },
  sessionTimeoutMs: 30_000,
} as const;

export type SinkSettings = Required<
  Omit<TransactionalSinkOptions, 'deadLetterSink' | 'afterDatabaseCommit'>
> &
  Pick<TransactionalSinkOptions, 'deadLetterSink' | 'afterDatabaseCommit'>;

/** Fills the defaults in; an option given as `undefined` takes its default too. */
export function resolveSinkSettings(options: TransactionalSinkOptions): SinkSettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const settings = { ...SINK_DEFAULTS, ...given } as SinkSettings;
  if (!Number.isInteger(settings.maxBatchRecords) || settings.maxBatchRecords < 1) {
    throw new RangeError('maxBatchRecords must be an integer >= 1');
  }
  return settings;
}
