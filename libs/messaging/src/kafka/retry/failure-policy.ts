import { dlqTopicOf, isDlqTopic, isRetryTopic, retryTopicOf } from '@streamline/contracts';
import {
  assertValidBackoff,
  computeBackoffMs,
  DEFAULT_BACKOFF,
  type BackoffPolicy,
} from './backoff';

/** What a handler declares about its failures. */
export interface FailurePolicy {
  /** Attempts in all, the first delivery included; after the last the record goes to `<topic>.dlq`. */
  maxAttempts: number;
  /** Whether retryable failures go through `<topic>.retry`; false sends every failure to the DLQ. */
  retries: boolean;
  backoff: BackoffPolicy;
}

/** A partial policy as handlers declare it; missing fields take the defaults. */
export type FailurePolicyInput = Partial<Omit<FailurePolicy, 'backoff'>> & {
  backoff?: Partial<BackoffPolicy>;
};

export const DEFAULT_FAILURE_POLICY: FailurePolicy = {
  maxAttempts: 5,
  retries: true,
  backoff: DEFAULT_BACKOFF,
};

/** Fills a declared policy with the defaults and checks it. */
export function resolveFailurePolicy(
  input: FailurePolicyInput = {},
  defaults: FailurePolicy = DEFAULT_FAILURE_POLICY,
): FailurePolicy {
  const policy: FailurePolicy = {
    maxAttempts: input.maxAttempts ?? defaults.maxAttempts,
    retries: input.retries ?? defaults.retries,
    backoff: { ...defaults.backoff, ...input.backoff },
  };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`invalid failure policy: maxAttempts must be an integer >= 1`);
  }
  assertValidBackoff(policy.backoff);
  return policy;
}

/** Where a failed record goes next. */
export type FailureRoute =
  | { kind: 'retry'; topic: string; nextAttempt: number; delayMs: number }
  | { kind: 'dead-letter'; topic: string }
  /** `.retry`/`.dlq` topics have nowhere further to send a failure: the record is retried where it is. */
  | { kind: 'retry-in-place'; delayMs: number };

export interface FailureInput {
  topic: string;
  /** The attempt that just failed, 1-based. */
  attempt: number;
  retryable: boolean;
  policy: FailurePolicy;
  random?: () => number;
}

/**
 * Routes a failure: retryable with attempts left → `<topic>.retry` with backoff; otherwise
 * → `<topic>.dlq`. Pure, so the whole decision table is unit-tested.
 */
export function routeFailure(input: FailureInput): FailureRoute {
  const { topic, attempt, retryable, policy } = input;
  if (isRetryTopic(topic) || isDlqTopic(topic)) {
    return {
      kind: 'retry-in-place',
      delayMs: computeBackoffMs(attempt, policy.backoff, input.random),
    };
  }
  if (retryable && policy.retries && attempt < policy.maxAttempts) {
    return {
      kind: 'retry',
      topic: retryTopicOf(topic),
      nextAttempt: attempt + 1,
      delayMs: computeBackoffMs(attempt, policy.backoff, input.random),
    };
  }
  return { kind: 'dead-letter', topic: dlqTopicOf(topic) };
}
