import { ConcurrencyLimiter, InFlightBudget, recordBytes } from './in-flight-budget';

describe('InFlightBudget', () => {
  it('has room until full, takes a whole batch even past capacity, and allows a resume at half', () => {
    const budget = new InFlightBudget(10);
    budget.add(6);
    expect(budget.hasRoom).toBe(true);
    budget.add(6);
    expect(budget.inUse).toBe(12);
    expect(budget.hasRoom).toBe(false);
    expect(budget.canResume).toBe(false);
    budget.release(6);
    expect(budget.hasRoom).toBe(true);
    expect(budget.canResume).toBe(false);
    budget.release(1);
    expect(budget.inUse).toBe(5);
    expect(budget.canResume).toBe(true);
    budget.release(100);
    expect(budget.inUse).toBe(0);
  });

  it('wakes the waiters once it has drained to half', async () => {
    const budget = new InFlightBudget(4);
    budget.add(4);
    let woken = false;
    const waiting = budget.drained().then(() => (woken = true));
    budget.release(1);
    await Promise.resolve();
    expect(woken).toBe(false);
    budget.release(1);
    await waiting;
    expect(woken).toBe(true);
    await expect(budget.drained()).resolves.toBeUndefined();
  });

  it('is used up by bytes as well as by records, and resumes when both are at half', async () => {
    const budget = new InFlightBudget(100, 1_000);
    budget.add(2, 900);
    expect(budget.hasRoom).toBe(true);
    budget.add(1, 400);
    expect(budget.bytesInUse).toBe(1_300);
    // Three records of a hundred allowed, but the bytes are used up.
    expect(budget.hasRoom).toBe(false);
    let woken = false;
    const waiting = budget.drained().then(() => (woken = true));
    budget.release(1, 400);
    await Promise.resolve();
    expect(budget.hasRoom).toBe(true);
    expect(budget.canResume).toBe(false);
    expect(woken).toBe(false);
    budget.release(1, 450);
    await waiting;
    expect(budget.canResume).toBe(true);
    budget.release(10, 10_000);
    expect(budget.bytesInUse).toBe(0);
  });

  it('refuses a capacity below one', () => {
    expect(() => new InFlightBudget(0)).toThrow(RangeError);
    expect(() => new InFlightBudget(10, 0)).toThrow(RangeError);
  });
});

describe('ConcurrencyLimiter', () => {
  it('lets `limit` holders in and serves waiters in arrival order', async () => {
    const limiter = new ConcurrencyLimiter(2);
    expect(limiter.tryAcquire()).toBe(true);
    await limiter.acquire();
    expect(limiter.tryAcquire()).toBe(false);
    const order: string[] = [];
    const first = limiter.acquire().then(() => order.push('first'));
    const second = limiter.acquire().then(() => order.push('second'));
    limiter.release();
    await first;
    expect(order).toEqual(['first']);
    limiter.release();
    await second;
    expect(order).toEqual(['first', 'second']);
    // A new comer does not jump the queue while someone waits.
    const third = limiter.acquire();
    expect(limiter.tryAcquire()).toBe(false);
    limiter.release();
    await third;
  });
});

describe('recordBytes', () => {
  it('counts the key and the value, nothing for a tombstone without key', () => {
    const message = { key: Buffer.from('dev-1'), value: Buffer.alloc(100), offset: '0' };
    expect(recordBytes(message as never)).toBe(105);
    expect(recordBytes({ key: null, value: null, offset: '1' } as never)).toBe(0);
  });
});
