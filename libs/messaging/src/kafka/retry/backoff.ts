/** Exponential backoff between attempts of a failing record. */
export interface BackoffPolicy {
  /** Delay before the second attempt. */
  initialMs: number;
  /** No delay exceeds this. */
  maxMs: number;
  /** Each further attempt waits this many times longer than the previous one. */
  multiplier: number;
  /**
   * Share of the delay that is random, 0..1: the delay is drawn from `[base × (1 − jitter), base]`,
   * so consumers that failed together do not all come back at the same moment.
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 1_000,
  maxMs: 60_000,
  multiplier: 2,
  jitter: 0.2,
};

/**
 * Delay before the next attempt after attempt `failedAttempt` (1-based) failed:
 * `min(maxMs, initialMs × multiplier^(failedAttempt − 1))`, minus up to `jitter` of it.
 */
export function computeBackoffMs(
  failedAttempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(failedAttempt) - 1);
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.multiplier, exponent));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const draw = Math.min(1, Math.max(0, random()));
  return Math.max(0, Math.round(base * (1 - jitter * draw)));
}

/** Checks a backoff policy once, at registration, so a typo cannot become a hot retry loop. */
export function assertValidBackoff(policy: BackoffPolicy): void {
  const problems: string[] = [];
  if (!(policy.initialMs >= 0)) problems.push('initialMs must be >= 0');
  if (!(policy.maxMs >= policy.initialMs)) problems.push('maxMs must be >= initialMs');
  if (!(policy.multiplier >= 1)) problems.push('multiplier must be >= 1');
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) problems.push('jitter must be within 0..1');
  if (problems.length > 0) throw new RangeError(`invalid backoff: ${problems.join('; ')}`);
}
