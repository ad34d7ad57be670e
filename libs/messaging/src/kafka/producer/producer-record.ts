import type { IHeaders, Message } from 'kafkajs';
import {
  ContractViolationError,
  contractHeaders,
  validate,
  type Contract,
} from '@streamline/contracts';
import { NonRetryableError } from '../../errors/processing-error';

/** A record whose value is checked against its contract and sent as JSON with the contract headers. */
export interface ContractRecord<T> {
  topic: string;
  contract: Contract<T, never>;
  /** The entity id (`deviceId`, `userId`); null spreads records round-robin. */
  key: string | null;
  value: T;
  /** Extra headers; `content-type`, `schema` and `traceparent` always come from the contract. */
  headers?: Record<string, string>;
  /** W3C trace context of the work that produced this record, when there is one. */
  traceparent?: string;
  /** An explicit partition; otherwise the key decides (murmur2, as the Java client). */
  partition?: number;
  /** Epoch ms (CreateTime); default: when `send` was called. */
  timestamp?: number;
  /**
   * The caller built `value` from input it validated against this very contract (its tests
   * prove it): encoded without a second check, which can cost more than the rest of a hot path.
   */
  prevalidated?: boolean;
}

/**
 * A record sent byte for byte: for dead letters and replays, whose value may be anything
 * (bad JSON, raw MQTT bytes) and whose headers travel unchanged.
 */
export interface RawRecord {
  topic: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string>;
  partition?: number;
  timestamp?: number;
}

/** What the producer sends: a contract record, or a raw one (no `contract` field). */
export type KafkaRecord<T = unknown> = ContractRecord<T> | RawRecord;

/** A record ready for kafkajs, with its size for the batch limits. */
export interface EncodedRecord {
  topic: string;
  message: Message;
  /** Key, value and header bytes, uncompressed. */
  bytes: number;
}

function isContractRecord<T>(record: KafkaRecord<T>): record is ContractRecord<T> {
  return (record as Partial<ContractRecord<T>>).contract !== undefined;
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

function checkTarget(record: KafkaRecord<unknown>): void {
  if (typeof record.topic !== 'string' || record.topic.length === 0) {
    throw new NonRetryableError('KAFKA_INVALID_RECORD', 'a record needs a topic');
  }
  if (
    record.partition !== undefined &&
    (!Number.isInteger(record.partition) || record.partition < 0)
  ) {
    throw new NonRetryableError(
      'KAFKA_INVALID_RECORD',
      `partition must be a non-negative integer (got ${record.partition})`,
    );
  }
}

/**
 * Validates and encodes one record. A contract record whose value breaks its contract throws
 * ContractViolationError, so no consumer ever sees a record that breaks its topic's contract.
 */
export function encodeRecord<T>(record: KafkaRecord<T>, now: number): EncodedRecord {
  checkTarget(record);
  let key: Buffer | string | null;
  let value: Buffer | string | null;
  let headers: IHeaders;
  if (isContractRecord(record)) {
    let checked = record.value;
    if (!record.prevalidated) {
      const result = validate(record.contract, record.value);
      if (!result.ok) throw new ContractViolationError(record.contract.schemaId, result.issues);
      checked = result.value;
    }
    key = record.key;
    value = JSON.stringify(checked);
    headers = { ...record.headers, ...contractHeaders(record.contract, record.traceparent) };
  } else {
    key = record.key;
    value = record.value;
    headers = { ...record.headers };
  }
  let bytes = byteLength(key) + byteLength(value);
  for (const [name, headerValue] of Object.entries(headers)) {
    bytes += Buffer.byteLength(name) + byteLength(headerValue as Buffer | string);
  }
  const message: Message = {
    key,
    value,
    headers,
    timestamp: String(record.timestamp ?? now),
    ...(record.partition !== undefined ? { partition: record.partition } : {}),
  };
  return { topic: record.topic, message, bytes };
}
