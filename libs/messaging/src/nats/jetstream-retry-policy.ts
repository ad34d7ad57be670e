/** How a JetStream worker retries a failing message before it dead-letters it. */
export interface JetStreamRetryPolicy {
  /** Deliveries on which the handler runs; a failure on the last one dead-letters. */
  readonly maxAttempts: number;
  /** `nak` delay after the first failed delivery; doubles with every further delivery. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_JETSTREAM_RETRY: JetStreamRetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
};

/** What to do with a delivery whose handling failed. */
export type FailureDecision =
  | { readonly action: 'nak'; readonly delayMs: number }
  | { readonly action: 'dead-letter'; readonly reason: 'non-retryable' | 'attempts-exhausted' };

/** Handler attempts for a consumer's `max_deliver`: one delivery is kept to dead-letter a crash. */
export function attemptsForMaxDeliver(maxDeliver: number | undefined): number | undefined {
  if (maxDeliver === undefined || maxDeliver <= 0) return undefined;
  return Math.max(1, maxDeliver - 1);
}

/** The redelivery delay after the n-th (1-based) failed delivery: base·2^(n-1), capped. */
export function redeliveryDelayMs(deliveryCount: number, policy: JetStreamRetryPolicy): number {
  const exponent = Math.max(0, Math.min(deliveryCount - 1, 30));
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/** Retry with a delay while attempts remain and a retry can help; dead-letter otherwise. */
export function decideOnFailure(
  deliveryCount: number,
  retryable: boolean,
  policy: JetStreamRetryPolicy,
): FailureDecision {
  if (!retryable) return { action: 'dead-letter', reason: 'non-retryable' };
  if (deliveryCount >= policy.maxAttempts) {
    return { action: 'dead-letter', reason: 'attempts-exhausted' };
  }
  return { action: 'nak', delayMs: redeliveryDelayMs(deliveryCount, policy) };
}

/**
 * A delivery past the last attempt only happens when that attempt never reported back (the
 * process died, or `ack_wait` expired): it is dead-lettered without running the handler again.
 */
export function isPastLastAttempt(deliveryCount: number, policy: JetStreamRetryPolicy): boolean {
  return deliveryCount > policy.maxAttempts;
}
