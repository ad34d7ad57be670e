import fc from 'fast-check';
import {
  assertValidBackoff,
  computeBackoffMs,
  DEFAULT_BACKOFF,
  type BackoffPolicy,
} from './backoff';

const exact: BackoffPolicy = { initialMs: 1_000, maxMs: 10_000, multiplier: 2, jitter: 0 };

describe('computeBackoffMs', () => {
  it('grows exponentially from initialMs and stops at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => computeBackoffMs(attempt, exact))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('with jitter, draws from [base × (1 − jitter), base]', () => {
    const policy = { ...exact, jitter: 0.5 };
    expect(computeBackoffMs(2, policy, () => 0)).toBe(2_000);
    expect(computeBackoffMs(2, policy, () => 1)).toBe(1_000);
    expect(computeBackoffMs(2, policy, () => 0.5)).toBe(1_500);
  });

  it('always stays within the jitter band and never above maxMs (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, initialMs, extraMs, multiplier, jitter, draw) => {
          const policy = { initialMs, maxMs: initialMs + extraMs, multiplier, jitter };
          const base = Math.min(policy.maxMs, initialMs * multiplier ** (attempt - 1));
          const delay = computeBackoffMs(attempt, policy, () => draw);
          expect(delay).toBeLessThanOrEqual(Math.round(base) + 1);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)) - 1);
          expect(delay).toBeLessThanOrEqual(policy.maxMs);
        },
      ),
    );
  });

  it('is monotonic in the attempt when there is no jitter (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (attempt) => {
        expect(computeBackoffMs(attempt + 1, exact)).toBeGreaterThanOrEqual(
          computeBackoffMs(attempt, exact),
        );
      }),
    );
  });

  it('treats a random source outside 0..1 as its nearest bound', () => {
    expect(computeBackoffMs(1, { ...exact, jitter: 1 }, () => 7)).toBe(0);
    expect(computeBackoffMs(1, { ...exact, jitter: 1 }, () => -3)).toBe(1_000);
  });
});

describe('assertValidBackoff', () => {
  it('accepts the defaults', () => {
    expect(() => assertValidBackoff(DEFAULT_BACKOFF)).not.toThrow();
  });

  it.each([
    [{ initialMs: -1 }, 'initialMs'],
    [{ maxMs: 10 }, 'maxMs'],
    [{ multiplier: 0.5 }, 'multiplier'],
    [{ jitter: 1.5 }, 'jitter'],
    [{ initialMs: Number.NaN }, 'initialMs'],
  ])('refuses %j', (override, named) => {
    expect(() => assertValidBackoff({ ...DEFAULT_BACKOFF, ...override })).toThrow(named);
  });
});
