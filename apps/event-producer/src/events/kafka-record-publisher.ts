import type { ContractRecord } from '@streamline/messaging';
import { DependencyUnavailableError, withTimeout } from '@streamline/platform';
import type { OutgoingRecord, PublishOutcome, RecordPublisher } from './record-publisher';

/** What this service needs of the shared producer (KafkaProducerService of @streamline/nest-messaging). */
export interface KafkaProducerPort {
  send(
    record: ContractRecord<unknown>,
  ): Promise<{ partition: number; offset: string; timestamp: string }>;
  sendAndForget(record: ContractRecord<unknown>): void;
}

export const KAFKA_UNAVAILABLE = 'KAFKA_UNAVAILABLE';

/**
 * The RecordPublisher over the shared idempotent producer (acks=all, linger batching: the
 * records of concurrent requests share produce requests). Records go through the library's one
 * encoder (`encodeRecord`: JSON value, the contract's headers); the use cases validated every
 * value against its contract already, so they are marked `prevalidated` and skip a second
 * validation, which was half the CPU of a batch. The producer ends every send within its
 * delivery timeout; the guard here only makes sure an HTTP request can never hang.
 */
export class KafkaRecordPublisher implements RecordPublisher {
  constructor(
    private readonly producer: KafkaProducerPort,
    private readonly deliveryTimeoutMs: number,
  ) {}

  async publish(records: readonly OutgoingRecord[]): Promise<PublishOutcome[]> {
    const guardMs = this.deliveryTimeoutMs + 1_000;
    return Promise.all(
      records.map(async (record): Promise<PublishOutcome> => {
        try {
          const report = await withTimeout(
            this.producer.send(toContractRecord(record)),
            guardMs,
            `Kafka did not acknowledge the record for ${record.topic}`,
          );
          return {
            ok: true,
            delivery: {
              partition: report.partition,
              offset: report.offset,
              timestamp: Number(report.timestamp),
            },
          };
        } catch (error) {
          return { ok: false, error: asDeclared(error) };
        }
      }),
    );
  }

  publishAndForget(records: readonly OutgoingRecord[]): void {
    for (const record of records) this.producer.sendAndForget(toContractRecord(record));
  }
}

/**
 * The record for the shared producer, which encodes it (`encodeRecord`: JSON value, extra
 * headers, then the contract's own). `prevalidated`: the use cases checked the value against
 * this contract (the property test of kafka-record-publisher.spec.ts proves the HTTP contract's
 * output satisfies the record contract).
 */
export function toContractRecord(record: OutgoingRecord): ContractRecord<unknown> {
  return {
    topic: record.topic,
    contract: record.contract,
    key: record.key,
    value: record.value,
    ...(record.headers === undefined ? {} : { headers: record.headers }),
    ...(record.traceparent === undefined ? {} : { traceparent: record.traceparent }),
    prevalidated: true,
  };
}

/** Producer errors carry code + retryable already; anything else (the guard's timeout) becomes a 503. */
function asDeclared(error: unknown): Error {
  const declared = error as { code?: unknown; retryable?: unknown } | null;
  if (
    error instanceof Error &&
    typeof declared?.code === 'string' &&
    typeof declared.retryable === 'boolean'
  ) {
    return error;
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new DependencyUnavailableError(KAFKA_UNAVAILABLE, `Kafka is unavailable: ${reason}`, {
    cause: error,
  });
}
