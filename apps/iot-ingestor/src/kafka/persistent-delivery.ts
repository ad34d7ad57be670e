import {
  classifyError,
  computeBackoffMs,
  type BackoffPolicy,
  type DeliveryReport,
  type ErrorClassification,
  type KafkaRecord,
} from '@streamline/messaging';
import { abortableDelay, IngestAbortedError } from '../common/abortable';

/** Sends one record and resolves with its acks=all acknowledgement (the shared KafkaProducer). */
export interface RecordSender {
  send<T>(record: KafkaRecord<T>): Promise<DeliveryReport>;
}

/** Broker answers that refuse the record itself: sending it again gets the same answer. */
const RECORD_REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP']);
/** The producer's own refusals, before anything is sent. */
const PRODUCER_REFUSALS = new Set(['CONTRACT_VIOLATION', 'KAFKA_INVALID_RECORD']);

/**
 * Whether Kafka refused this record for good. Decided on the cause chain, not on `retryable`:
 * kafkajs wraps "retries exhausted" (a broker that is down) in a non-retriable error, which the
 * producer then reports as KAFKA_SEND_REJECTED, and such a record must be retried, not given up.
 */
export function isRefusedForGood(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth += 1) {
    const { code, type } = current as Error & { code?: unknown; type?: unknown };
    if (typeof code === 'string' && PRODUCER_REFUSALS.has(code)) return true;
    if (typeof type === 'string' && RECORD_REFUSALS.has(type)) return true;
    current = current.cause;
  }
  return false;
}

export interface DeliveryPolicy {
  backoff: BackoffPolicy;
  /** Aborts the retries (and the waits) when the MQTT ack can no longer be sent. */
  signal: AbortSignal;
  /** Whether a record that Kafka refuses for good may be handed back instead of retried. */
  canGiveBack?: (index: number) => boolean;
  /** Called before each retry with the failure that caused it. */
  onRetry?: (retry: {
    attempt: number;
    records: number;
    failure: ErrorClassification;
    delayMs: number;
  }) => void;
}

export interface DeliveryResult {
  /** The acknowledgement of each delivered record, by index. */
  reports: Map<number, DeliveryReport>;
  /** Records Kafka refused for good (isRefusedForGood; only those `canGiveBack` allowed). */
  refused: Array<{ index: number; failure: ErrorClassification }>;
}

/**
 * Delivers every record, however long Kafka is away: the records of a failed attempt are sent
 * again after a backoff, until each one is acknowledged, handed back (refused for good and
 * `canGiveBack`), or the signal aborts (IngestAbortedError; checked before each attempt and
 * during the backoff: a send in progress ends within the producer's delivery timeout). Nothing is dropped: any other
 * failure, however it is classified, is retried.
 */
export async function deliverAll(
  sender: RecordSender,
  records: readonly KafkaRecord[],
  policy: DeliveryPolicy,
): Promise<DeliveryResult> {
  const result: DeliveryResult = { reports: new Map(), refused: [] };
  let pending = records.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    if (policy.signal.aborted) throw new IngestAbortedError();
    // Each send ends within the producer's delivery timeout: no need to race it with the signal.
    const outcomes = await Promise.allSettled(
      pending.map((index) => sender.send(records[index] as KafkaRecord)),
    );
    const failed: number[] = [];
    let failure: ErrorClassification | undefined;
    outcomes.forEach((outcome, i) => {
      const index = pending[i] as number;
      if (outcome.status === 'fulfilled') {
        result.reports.set(index, outcome.value);
        return;
      }
      const classified = classifyError(outcome.reason);
      if (isRefusedForGood(outcome.reason) && (policy.canGiveBack?.(index) ?? false)) {
        result.refused.push({ index, failure: classified });
        return;
      }
      failure ??= classified;
      failed.push(index);
    });
    pending = failed;
    if (pending.length > 0 && failure !== undefined) {
      const delayMs = computeBackoffMs(attempt, policy.backoff);
      policy.onRetry?.({ attempt, records: pending.length, failure, delayMs });
      await abortableDelay(delayMs, policy.signal);
    }
  }
  return result;
}
