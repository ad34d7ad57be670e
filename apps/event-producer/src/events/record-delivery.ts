import type { RequestIssue } from '@streamline/platform';
import type { DeliveryMode } from './delivery-mode';
import type { EventsEndpoint, EventsMetrics } from './events.metrics';
import type { OutgoingRecord, PublishOutcome, RecordPublisher } from './record-publisher';

/** One input record after validation: ready to produce, or refused with its faults. */
export type CheckedRecord =
  | { index: number; ok: true; record: OutgoingRecord; eventId?: string }
  | { index: number; ok: false; issues: RequestIssue[] };

/** Per-record result in responses; `status` is the HTTP status this record alone would get. */
export type RecordResult =
  | {
      index: number;
      status: 201;
      eventId?: string;
      partition: number;
      offset: string;
      timestamp: number;
    }
  | { index: number; status: 202; eventId?: string }
  | { index: number; status: 400; path: string; reason: string; issues: RequestIssue[] }
  | { index: number; status: 503 | 502; code: string; reason: string; retryable: boolean };

/** Statuses of a whole request given its records' results (none valid is a 400 raised earlier). */
export function requestStatus(results: readonly RecordResult[], mode: DeliveryMode): number {
  const allOk = results.every((r) => r.status === 201 || r.status === 202);
  if (!allOk) return 207;
  return mode === 'all' ? 201 : 202;
}

/** The first error of a record that Kafka failed, with its code and retryability. */
function failureOf(index: number, error: Error): RecordResult {
  const declared = error as Error & { code?: unknown; retryable?: unknown };
  const retryable = declared.retryable !== false;
  return {
    index,
    status: retryable ? 503 : 502,
    code: typeof declared.code === 'string' ? declared.code : 'KAFKA_SEND_FAILED',
    reason: error.message,
    retryable,
  };
}

/**
 * Produces the valid records in the requested mode and returns a result per input record, in
 * order. When every record failed in Kafka the first error is thrown (the whole request is a
 * 503), so nothing half-done is reported as success.
 */
export async function deliverRecords(
  checked: readonly CheckedRecord[],
  mode: DeliveryMode,
  deps: { publisher: RecordPublisher; metrics: EventsMetrics; endpoint: EventsEndpoint },
): Promise<RecordResult[]> {
  const valid = checked.filter((c): c is Extract<CheckedRecord, { ok: true }> => c.ok);
  const { publisher, metrics, endpoint } = deps;
  metrics.count(endpoint, mode, 'rejected', checked.length - valid.length);
  const started = performance.now();
  let outcomes: PublishOutcome[] | undefined;
  if (mode === 'none') {
    publisher.publishAndForget(valid.map((c) => c.record));
  } else {
    outcomes = await publisher.publish(valid.map((c) => c.record));
  }
  metrics.observeProduce(endpoint, mode, (performance.now() - started) / 1000);

  const byIndex = new Map<number, RecordResult>();
  let failed = 0;
  valid.forEach((c, i) => {
    const outcome = outcomes?.[i];
    const eventId = c.eventId === undefined ? {} : { eventId: c.eventId };
    if (outcome === undefined) byIndex.set(c.index, { index: c.index, status: 202, ...eventId });
    else if (outcome.ok)
      byIndex.set(c.index, { index: c.index, status: 201, ...eventId, ...outcome.delivery });
    else {
      failed += 1;
      byIndex.set(c.index, failureOf(c.index, outcome.error));
    }
  });
  metrics.count(endpoint, mode, 'accepted', valid.length - failed);
  metrics.count(endpoint, mode, 'failed', failed);
  const firstFailure = outcomes?.find((o) => !o.ok);
  if (failed === valid.length && firstFailure !== undefined && !firstFailure.ok) {
    throw firstFailure.error;
  }

  return checked.map((c) => {
    if (c.ok) return byIndex.get(c.index) as RecordResult;
    const first = c.issues[0];
    return {
      index: c.index,
      status: 400,
      path: first?.path ?? '',
      reason: first?.reason ?? 'invalid',
      issues: c.issues,
    };
  });
}
