import type { Kafka, KafkaMessage } from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';
import type { ProducerCompression } from '../producer/producer-options';
import type { KafkaRecord } from '../producer/producer-record';

/** The input records one transaction covers: part of one partition, in offset order. */
export interface PartitionContext {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  /** What the transaction commits as the group's offset: the next record to read. */
  nextOffset: string;
}

/** What the transform emits: a contract record (validated) or a raw one, like KafkaProducer takes. */
export type OutputRecord<T = unknown> = KafkaRecord<T>;

/**
 * Turns a run of input records into output records. It may run more than once for the same
 * inputs (after an abort), so it must not have effects outside its outputs; a record it cannot
 * handle should become an output to the dead-letter topic, which then commits with the rest.
 */
export type TransformFn = (
  records: readonly KafkaMessage[],
  context: PartitionContext,
) => Promise<readonly OutputRecord[]>;

/** An input partition this member owns. */
export interface OwnedPartition {
  topic: string;
  partition: number;
}

/**
 * Timer-driven output of one owned partition (windows closed by the wall clock, say): its records
 * commit in a transaction of the partition's own producer, with no input and no offset change,
 * never while a batch of that partition is in flight.
 */
export type PunctuateFn = (partition: OwnedPartition) => Promise<readonly OutputRecord[]>;

/** How the consumer fetches: bigger, longer fetches make transactions cover more records. */
export interface EosFetchOptions {
  /** Broker waits for this many bytes (or maxWaitTimeInMs) before answering a fetch. */
  minBytes?: number;
  maxBytes?: number;
  maxBytesPerPartition?: number;
  maxWaitTimeInMs?: number;
}

export interface ExactlyOnceProcessorOptions {
  kafka: Kafka;
  /** Consumer group whose offsets the transactions commit. */
  groupId: string;
  inputTopics: readonly string[];
  /**
   * Stable across restarts and identical on every instance of the service: with the input
   * topic and partition it names the transactional producer, so whoever takes a partition
   * over fences the producer that had it.
   */
  transactionalIdPrefix: string;
  transform: TransformFn;
  /** Input records per transaction at most; a fetched batch is split. Default 500. */
  maxRecordsPerTransaction?: number;
  /** Input partitions processed at the same time. Default 3. */
  partitionsConsumedConcurrently?: number;
  /** A new group starts at the earliest retained record (true) or at the end. Default true. */
  fromBeginning?: boolean;
  /** Broker aborts a transaction open longer than this. Default 60 000. */
  transactionTimeoutMs?: number;
  /** Consumer group session timeout: how soon a dead instance's partitions move. Default 30 000. */
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** First pause after a failed transaction, doubling per failure up to 30 s. Default 500. */
  failureBackoffMs?: number;
  compression?: ProducerCompression;
  /** Called after outputs and offsets are in the transaction, just before commit (tracing, tests). */
  beforeCommit?: (context: PartitionContext) => Promise<void>;
  /**
   * Runs once a partition's producer has fenced its predecessors and before the partition's first
   * transform or punctuate: rebuild the partition's state here (from a changelog). It runs on
   * every assignment and again after a failed transaction, whose effects on in-memory state must
   * be thrown away. A rejection counts as a failed transaction (retried with backoff).
   */
  onPartitionReady?: (partition: OwnedPartition) => Promise<void>;
  /** The group took the partition away (or this member stops): drop its state. */
  onPartitionReleased?: (partition: OwnedPartition) => void;
  punctuate?: PunctuateFn;
  /** How often punctuate runs per owned partition. Default 1 000. */
  punctuateIntervalMs?: number;
  fetch?: EosFetchOptions;
  logger?: MessagingLogger;
}

export const EOS_DEFAULTS = {
  maxRecordsPerTransaction: 500,
  partitionsConsumedConcurrently: 3,
  fromBeginning: true,
  transactionTimeoutMs: 60_000,
  sessionTimeoutMs: 30_000,
  rebalanceTimeoutMs: 60_000,
  heartbeatIntervalMs: 3_000,
  failureBackoffMs: 500,
  maxFailureBackoffMs: 30_000,
  punctuateIntervalMs: 1_000,
} as const;

/** Options with the defaults applied. */
export type ResolvedEosOptions = ExactlyOnceProcessorOptions & {
  -readonly [K in keyof typeof EOS_DEFAULTS]: (typeof EOS_DEFAULTS)[K] extends boolean
    ? boolean
    : number;
};

/** Applies the defaults (an option given as undefined keeps its default) and checks the numbers. */
export function resolveEosOptions(options: ExactlyOnceProcessorOptions): ResolvedEosOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const resolved = { ...EOS_DEFAULTS, ...given } as ResolvedEosOptions;
  for (const name of Object.keys(EOS_DEFAULTS) as Array<keyof typeof EOS_DEFAULTS>) {
    const value = resolved[name];
    if (typeof value === 'number' && !(Number.isInteger(value) && value > 0)) {
      throw new RangeError(
        `ExactlyOnceProcessor option ${name} must be a positive integer (got ${value})`,
      );
    }
  }
  if (resolved.inputTopics.length === 0)
    throw new RangeError('inputTopics must name at least one topic');
  return resolved;
}
