import fc from 'fast-check';
import {
  DEFAULT_JETSTREAM_RETRY,
  attemptsForMaxDeliver,
  decideOnFailure,
  isPastLastAttempt,
  redeliveryDelayMs,
  type JetStreamRetryPolicy,
} from './jetstream-retry-policy';

const policy: JetStreamRetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('JetStream retry policy', () => {
  it('doubles the nak delay per delivery from the base, capped at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => redeliveryDelayMs(n, policy))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('never goes below the base or above the cap, and never decreases', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
        const delay = redeliveryDelayMs(n, DEFAULT_JETSTREAM_RETRY);
        expect(delay).toBeGreaterThanOrEqual(DEFAULT_JETSTREAM_RETRY.baseDelayMs);
        expect(delay).toBeLessThanOrEqual(DEFAULT_JETSTREAM_RETRY.maxDelayMs);
        expect(redeliveryDelayMs(n + 1, DEFAULT_JETSTREAM_RETRY)).toBeGreaterThanOrEqual(delay);
      }),
    );
  });

  it('naks a retryable failure while attempts remain, then dead-letters it', () => {
    expect(decideOnFailure(1, true, policy)).toEqual({ action: 'nak', delayMs: 100 });
    expect(decideOnFailure(3, true, policy)).toEqual({ action: 'nak', delayMs: 400 });
    expect(decideOnFailure(4, true, policy)).toEqual({
      action: 'dead-letter',
      reason: 'attempts-exhausted',
    });
  });

  it('dead-letters a non-retryable failure on any delivery', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), (n) => {
        expect(decideOnFailure(n, false, policy)).toEqual({
          action: 'dead-letter',
          reason: 'non-retryable',
        });
      }),
    );
  });

  it('keeps one delivery of max_deliver spare for dead-lettering a crashed last attempt', () => {
    expect(attemptsForMaxDeliver(6)).toBe(5);
    expect(attemptsForMaxDeliver(1)).toBe(1);
    expect(attemptsForMaxDeliver(-1)).toBeUndefined();
    expect(attemptsForMaxDeliver(undefined)).toBeUndefined();
    expect(isPastLastAttempt(4, policy)).toBe(false);
    expect(isPastLastAttempt(5, policy)).toBe(true);
  });
});
