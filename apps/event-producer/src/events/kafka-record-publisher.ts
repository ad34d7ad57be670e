import { contractHeaders } from '@streamline/contracts';
import type { RawRecord } from '@streamline/messaging';
import { DependencyUnavailableError, withTimeout } from '@streamline/platform';
import type { OutgoingRecord, PublishOutcome, RecordPublisher } from './record-publisher';

/** What this service needs of the shared producer (KafkaProducerService of @streamline/nest-messaging). */
export interface KafkaProducerPort {
  send(record: RawRecord): Promise<{ partition: number; offset: string; timestamp: string }>;
  sendAndForget(record: RawRecord): void;
}

export const KAFKA_UNAVAILABLE = 'KAFKA_UNAVAILABLE';

/**
 * The RecordPublisher over the shared idempotent producer (acks=all, linger batching: the
 * records of concurrent requests share produce requests). The use cases validated every value
 * against its contract already, so records go out as JSON with the contract headers without a
 * second validation: it was half the CPU of a batch. The producer ends every send within its
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
            this.producer.send(toRaw(record)),
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
    for (const record of records) this.producer.sendAndForget(toRaw(record));
  }
}

/** The record as it goes on the wire: JSON value, extra headers, then the contract's own. */
export function toRaw(record: OutgoingRecord): RawRecord {
  return {
    topic: record.topic,
    key: record.key,
    value: JSON.stringify(record.value),
    headers: { ...record.headers, ...contractHeaders(record.contract, record.traceparent) },
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
