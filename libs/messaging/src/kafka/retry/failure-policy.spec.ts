import {
  DEFAULT_FAILURE_POLICY,
  resolveFailurePolicy,
  routeFailure,
  type FailurePolicy,
} from './failure-policy';

const policy: FailurePolicy = {
  maxAttempts: 3,
  retries: true,
  backoff: { initialMs: 1_000, maxMs: 8_000, multiplier: 2, jitter: 0 },
};

describe('routeFailure', () => {
  it('sends a retryable failure with attempts left to <topic>.retry, with the next attempt and its backoff', () => {
    expect(routeFailure({ topic: 'orders.v1', attempt: 1, retryable: true, policy })).toEqual({
      kind: 'retry',
      topic: 'orders.v1.retry',
      nextAttempt: 2,
      delayMs: 1_000,
    });
    expect(routeFailure({ topic: 'orders.v1', attempt: 2, retryable: true, policy })).toEqual({
      kind: 'retry',
      topic: 'orders.v1.retry',
      nextAttempt: 3,
      delayMs: 2_000,
    });
  });

  it('dead-letters a retryable failure once the attempts are used up', () => {
    expect(routeFailure({ topic: 'orders.v1', attempt: 3, retryable: true, policy })).toEqual({
      kind: 'dead-letter',
      topic: 'orders.v1.dlq',
    });
  });

  it('dead-letters a failure no retry can fix on the first attempt', () => {
    expect(routeFailure({ topic: 'orders.v1', attempt: 1, retryable: false, policy })).toEqual({
      kind: 'dead-letter',
      topic: 'orders.v1.dlq',
    });
  });

  it('dead-letters everything when the handler disabled retries', () => {
    const noRetries = { ...policy, retries: false };
    expect(
      routeFailure({ topic: 'orders.v1', attempt: 1, retryable: true, policy: noRetries }).kind,
    ).toBe('dead-letter');
  });

  it('retries in place on .retry and .dlq topics, which have nowhere further to send a record', () => {
    expect(routeFailure({ topic: 'orders.v1.dlq', attempt: 2, retryable: false, policy })).toEqual({
      kind: 'retry-in-place',
      delayMs: 2_000,
    });
    expect(
      routeFailure({ topic: 'orders.v1.retry', attempt: 1, retryable: true, policy }).kind,
    ).toBe('retry-in-place');
  });
});

describe('resolveFailurePolicy', () => {
  it('fills what a handler leaves out with the defaults, backoff field by field', () => {
    expect(resolveFailurePolicy({ maxAttempts: 2, backoff: { initialMs: 50 } })).toEqual({
      maxAttempts: 2,
      retries: true,
      backoff: { ...DEFAULT_FAILURE_POLICY.backoff, initialMs: 50 },
    });
    expect(resolveFailurePolicy()).toEqual(DEFAULT_FAILURE_POLICY);
  });

  it('refuses a policy that cannot work', () => {
    expect(() => resolveFailurePolicy({ maxAttempts: 0 })).toThrow('maxAttempts');
    expect(() => resolveFailurePolicy({ maxAttempts: 1.5 })).toThrow('maxAttempts');
    expect(() => resolveFailurePolicy({ backoff: { multiplier: 0 } })).toThrow('multiplier');
  });
});
