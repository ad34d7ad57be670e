import type { Contract } from '@streamline/contracts';

/**
 * A record to produce. Its value has been validated against `contract` (the use cases do it
 * before anything is produced); it is sent as JSON with the contract's headers.
 */
export interface OutgoingRecord<T = unknown> {
  topic: string;
  contract: Contract<T, never>;
  /** The entity id; murmur2 of it picks the partition, as the Java client does. */
  key: string;
  value: T;
  headers?: Record<string, string>;
  traceparent?: string;
}

/** Where and when Kafka stored a record. */
export interface Delivery {
  partition: number;
  offset: string;
  /** Epoch ms. */
  timestamp: number;
}

/** One record's outcome, in the order the records were given. */
export type PublishOutcome = { ok: true; delivery: Delivery } | { ok: false; error: Error };

/** The producer as the use cases see it, so they are tested without a broker. */
export interface RecordPublisher {
  /** Produces every record with acks=all; resolves when each has an outcome (never rejects). */
  publish(records: readonly OutgoingRecord[]): Promise<PublishOutcome[]>;
  /** Hands the records to the producer and returns at once; failures are counted and logged. */
  publishAndForget(records: readonly OutgoingRecord[]): void;
}

export const RECORD_PUBLISHER = Symbol('RECORD_PUBLISHER');
