import { classifyError, type ErrorClassification } from '../../errors/processing-error';
import { sleep, untilAborted } from './abortable-wait';
import { computeBackoffMs, type BackoffPolicy } from './backoff';

export interface SendUntilAcknowledgedPolicy {
  backoff: BackoffPolicy;
  /** Ends the retries and the waits (shutdown, the caller's ack can no longer be sent). */
  signal: AbortSignal;
  /**
   * Whether a record Kafka refused for good (a non-retryable failure: too large, invalid,
   * not authorised) may be handed back instead of retried. Default: never; keep retrying.
   */
  canGiveBack?: (index: number) => boolean;
  /** Called before each retry with the failure that caused it. */
  onRetry?: (retry: {
    attempt: number;
    records: number;
    failure: ErrorClassification;
    delayMs: number;
  }) => void;
}

export interface SendUntilAcknowledgedResult<A> {
  /** The signal aborted before every record was acknowledged or handed back. */
  aborted: boolean;
  /** The acknowledgement of each delivered record, by index. */
  acknowledged: Map<number, A>;
  /** Records Kafka refused for good (only those `canGiveBack` allowed). */
  refused: Array<{ index: number; failure: ErrorClassification }>;
}

/**
 * The library's one "send until acknowledged": sends every record with `send`, and sends the
 * ones that failed again after a backoff (computeBackoffMs), for as long as it takes, until each
 * is acknowledged or handed back (refused for good and `canGiveBack`). Only the signal ends it
 * early (`aborted`: the caller must not treat the rest as stored); an attempt in progress is
 * then no longer waited for, though a record handed to Kafka may still be written.
 */
export async function sendUntilAcknowledged<R, A>(
  send: (record: R) => Promise<A>,
  records: readonly R[],
  policy: SendUntilAcknowledgedPolicy,
): Promise<SendUntilAcknowledgedResult<A>> {
  const result: SendUntilAcknowledgedResult<A> = {
    aborted: false,
    acknowledged: new Map(),
    refused: [],
  };
  let pending = records.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const outcome = await untilAborted(
      Promise.allSettled(pending.map((index) => send(records[index] as R))),
      policy.signal,
    );
    if (!outcome.done) return { ...result, aborted: true };
    const failed: number[] = [];
    let failure: ErrorClassification | undefined;
    outcome.value.forEach((settled, i) => {
      const index = pending[i] as number;
      if (settled.status === 'fulfilled') {
        result.acknowledged.set(index, settled.value);
        return;
      }
      const classified = classifyError(settled.reason);
      if (!classified.retryable && (policy.canGiveBack?.(index) ?? false)) {
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
      if (!(await sleep(delayMs, policy.signal))) return { ...result, aborted: true };
    }
  }
  return result;
}
