import fc from 'fast-check';
import { startPacer, TokenBucket } from './rate-limiter';

function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('TokenBucket', () => {
  it('starts empty and accrues tokens at the configured rate', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 100, clock.now);
    expect(bucket.tryTake()).toBe(false);
    clock.advance(99);
    expect(bucket.tryTake()).toBe(false);
    clock.advance(1);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    clock.advance(1_000);
    expect(bucket.available()).toBeCloseTo(10);
  });

  it('never holds more than its capacity, however long it waited', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1_000, 5, clock.now);
    clock.advance(60_000);
    expect(bucket.available()).toBe(5);
    for (let i = 0; i < 5; i += 1) expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('takes a batch all or nothing', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 10, clock.now, 3);
    expect(bucket.tryTake(4)).toBe(false);
    expect(bucket.available()).toBe(3);
    expect(bucket.tryTake(3)).toBe(true);
    expect(bucket.available()).toBe(0);
  });

  it('says how long until enough tokens are there', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(4, 8, clock.now);
    expect(bucket.msUntil(2)).toBe(500);
    expect(bucket.msUntil(9)).toBe(Number.POSITIVE_INFINITY);
    clock.advance(500);
    expect(bucket.msUntil(2)).toBe(0);
    expect(new TokenBucket(0, 1, clock.now).msUntil(1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects a negative rate or an empty capacity', () => {
    expect(() => new TokenBucket(-1, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.NaN, 1)).toThrow(RangeError);
  });

  it('grants rate × time tokens (± one burst) whatever the polling pattern', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 300 }),
        (rate, steps) => {
          const clock = manualClock();
          const capacity = Math.max(2, rate / 10);
          const bucket = new TokenBucket(rate, capacity, clock.now);
          let granted = 0;
          let elapsed = 0;
          for (const step of steps) {
            clock.advance(step);
            elapsed += step;
            while (bucket.tryTake()) granted += 1;
          }
          expect(granted).toBeLessThanOrEqual((rate * elapsed) / 1_000 + 1e-6);
          // Tokens are lost only when the bucket overflows between two polls (a stall). After a
          // poll less than one token is left, so a gap worth at most capacity − 1 never overflows.
          const longestGap = Math.max(...steps);
          if ((longestGap / 1_000) * rate <= capacity - 1) {
            expect(granted).toBeGreaterThanOrEqual(Math.floor((rate * elapsed) / 1_000 + 1e-6) - 1);
          }
        },
      ),
    );
  });
});

describe('startPacer', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it.each([
    [50, 1],
    [50, 5],
    [1_000, 1],
    [1_000, 100],
    [3, 1],
  ])('keeps %d units/s with %d units per call', (rate, units) => {
    let calls = 0;
    const pacer = startPacer({ ratePerSecond: rate, unitsPerCall: units }, () => (calls += 1));
    jest.advanceTimersByTime(10_000);
    pacer.stop();
    const units10s = calls * units;
    expect(units10s).toBeGreaterThanOrEqual(rate * 10 - units);
    expect(units10s).toBeLessThanOrEqual(rate * 10);
  });

  it('spreads the work over the second instead of bursting', () => {
    const perTick: number[] = [];
    let calls = 0;
    const pacer = startPacer(
      { ratePerSecond: 100, unitsPerCall: 1, tickMs: 10 },
      () => (calls += 1),
    );
    for (let i = 0; i < 100; i += 1) {
      const before = calls;
      jest.advanceTimersByTime(10);
      perTick.push(calls - before);
    }
    pacer.stop();
    expect(Math.max(...perTick)).toBeLessThanOrEqual(2);
    expect(perTick.filter((n) => n > 0).length).toBeGreaterThan(90);
  });

  it('does a batch larger than the per-tick rate at the right average pace', () => {
    let calls = 0;
    const pacer = startPacer({ ratePerSecond: 2, unitsPerCall: 10 }, () => (calls += 1));
    jest.advanceTimersByTime(4_900);
    expect(calls).toBe(0);
    jest.advanceTimersByTime(200);
    expect(calls).toBe(1);
    pacer.stop();
  });

  it('stops calling once stopped', () => {
    let calls = 0;
    const pacer = startPacer({ ratePerSecond: 100, unitsPerCall: 1 }, () => (calls += 1));
    jest.advanceTimersByTime(1_000);
    pacer.stop();
    const atStop = calls;
    jest.advanceTimersByTime(5_000);
    expect(calls).toBe(atStop);
    expect(jest.getTimerCount()).toBe(0);
  });
});
