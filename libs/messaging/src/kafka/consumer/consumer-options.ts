import type { Contract, ValidationResult } from '@streamline/contracts';
import type { Kafka } from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';
import type { DeadLetterSink } from '../retry/dead-letter-publisher';
import type { FailurePolicyInput } from '../retry/failure-policy';

/** What a handler knows about the record it is given, besides the validated value. */
export interface RecordContext {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** Header values as strings (the last one where a name repeats). */
  headers: Record<string, string>;
  /** Epoch ms of the record, as a string (kafkajs keeps it exact). */
  timestamp: string;
  /** 1 on first delivery, n on the n-th (the record came back through `<topic>.retry`). */
  attempt: number;
  /** Aborted when this partition is revoked or the shutdown drain time runs out. */
  signal: AbortSignal;
}

/** Handles one validated record; throws to fail it (see the failure policy). */
export type RecordHandler<T> = (value: T, context: RecordContext) => Promise<void> | void;

/** Decodes a record value; a failed result sends the record to the DLQ unhandled. */
export type ValueDecoder<T> = (value: Buffer | null) => ValidationResult<T>;

/** One handled topic. */
export interface HandlerRegistration<T = unknown> {
  topic: string;
  handler: RecordHandler<T>;
  /** Contract of the values; defaults to `contractForTopic(topic)`. */
  contract?: Contract<T>;
  /** A decoder instead of the contract's JSON parser (e.g. `parseCdcValue` for tombstones). */
  decode?: ValueDecoder<T>;
  failurePolicy?: FailurePolicyInput;
}

/**
 * Types a registration from its contract (`value` is the contract's output) and erases the
 * type for the consumer, which holds registrations of many topics side by side.
 */
export function defineHandler<T>(registration: HandlerRegistration<T>): HandlerRegistration {
  return registration as unknown as HandlerRegistration;
}

/** Settings of a ContractConsumer. Every tuning value has a default that suits a service. */
export interface ContractConsumerOptions {
  kafka: Kafka;
  groupId: string;
  /** The service name written to `dlq.service`. */
  service: string;
  logger: MessagingLogger;
  handlers: readonly HandlerRegistration[];
  /** Where a group with no committed offset starts. Default true: a new group loses nothing. */
  fromBeginning?: boolean;
  /** Partitions whose handlers may run at the same time. Default 4. */
  partitionsConsumedConcurrently?: number;
  /**
   * Records fetched but not yet handled, over all partitions. Default 10000. Checked before each
   * fetched batch, which is then taken whole: the bound is this plus one batch.
   */
  maxInFlightRecords?: number;
  /**
   * Bytes (keys and values) of the records fetched but not yet handled, over all partitions.
   * Default 64 MiB. Checked with `maxInFlightRecords`: whichever is used up first pauses
   * fetching, so topics of large records stay bounded in memory too.
   */
  maxInFlightBytes?: number;
  /** Records queued on one partition before it stops fetching. Default 5000. */
  maxInFlightPerPartition?: number;
  /**
   * Most bytes one fetch returns per partition (kafkajs). Default 256 KiB: a fetch then stays
   * well under the queue limits, so the next one is on its way while the last is handled.
   */
  maxBytesPerPartition?: number;
  /** Upper bound between offset commits while records complete. Default 1000 ms. */
  commitIntervalMs?: number;
  /** How long a stop waits for queued records before giving them back uncommitted. Default 10 s. */
  drainTimeoutMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Broker long-poll time; also the longest pause before a resumed partition is fetched. Default 250 ms. */
  maxWaitTimeMs?: number;
  /** Policy of handlers that declare none. */
  defaultFailurePolicy?: FailurePolicyInput;
  /** Replaces the idempotent producer of the failure path (tests inject failures with it). */
  deadLetterSink?: DeadLetterSink;
}

/** The defaults of ContractConsumerOptions, in one place for the docs and the tests. */
export const CONSUMER_DEFAULTS = {
  fromBeginning: true,
  partitionsConsumedConcurrently: 4,
  maxInFlightRecords: 10_000,
  maxInFlightBytes: 67_108_864,
  maxInFlightPerPartition: 5_000,
  maxBytesPerPartition: 262_144,
  commitIntervalMs: 1_000,
  drainTimeoutMs: 10_000,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  maxWaitTimeMs: 250,
} as const;

/** The options with every default filled in. */
export type ConsumerSettings = Required<
  Omit<ContractConsumerOptions, 'deadLetterSink' | 'defaultFailurePolicy'>
>;

/** Fills the defaults in; an option given as `undefined` takes its default too. */
export function resolveConsumerSettings(options: ContractConsumerOptions): ConsumerSettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...CONSUMER_DEFAULTS, ...given } as ConsumerSettings;
}

/** Hands the raw value to the handler: for `.dlq` topics, whose values may be anything. */
export const rawValueDecoder: ValueDecoder<Buffer | null> = (value) => ({ ok: true, value });
