import type { KafkaMessage } from 'kafkajs';

/** What a record holds in memory while it waits, as the byte budget counts it: key and value. */
export function recordBytes(message: KafkaMessage): number {
  return (message.value?.length ?? 0) + (message.key?.length ?? 0);
}

/**
 * The records fetched but not yet handled, shared by all partitions of a consumer: a count and
 * their bytes, each with its capacity. A partition adds the records it accepts and releases them
 * as they complete; once either capacity is used up, partitions that want more are paused until
 * both have drained to half.
 */
export class InFlightBudget {
  private used = 0;
  private usedBytes = 0;
  private waiters: Array<() => void> = [];

  constructor(
    readonly capacity: number,
    readonly byteCapacity = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`in-flight budget must be an integer >= 1, got ${capacity}`);
    }
    if (!(byteCapacity >= 1)) {
      throw new RangeError(`in-flight byte budget must be >= 1, got ${byteCapacity}`);
    }
  }

  get inUse(): number {
    return this.used;
  }

  get bytesInUse(): number {
    return this.usedBytes;
  }

  /** Whether another batch may be accepted. */
  get hasRoom(): boolean {
    return this.used < this.capacity && this.usedBytes < this.byteCapacity;
  }

  /** Counts accepted records; a whole batch is taken even when it overshoots a capacity. */
  add(count: number, bytes = 0): void {
    this.used += count;
    this.usedBytes += bytes;
  }

  release(count: number, bytes = 0): void {
    this.used = Math.max(0, this.used - count);
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
    if (this.waiters.length > 0 && this.canResume) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves once the budget has drained to half (at once if it has). */
  drained(): Promise<void> {
    if (this.canResume) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Half empty: paused partitions may fetch again (the gap avoids pausing on every batch). */
  get canResume(): boolean {
    return this.used <= this.capacity / 2 && this.usedBytes <= this.byteCapacity / 2;
  }
}

/** A FIFO semaphore: at most `limit` holders, waiters served in arrival order. */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`concurrency limit must be an integer >= 1, got ${limit}`);
    }
  }

  /** Takes a slot without waiting when one is free and nobody queues for it. */
  tryAcquire(): boolean {
    if (this.active < this.limit && this.waiters.length === 0) {
      this.active++;
      return true;
    }
    return false;
  }

  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Gives the slot to the longest waiter, or frees it. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active = Math.max(0, this.active - 1);
  }
}

/** What waiting for the budget needs from its caller. */
export interface BudgetWait {
  /** Keeps the group membership alive; throws when the group is rebalancing. */
  heartbeat(): Promise<void>;
  /** False once the wait is pointless (consumer stopping, new generation). */
  stillWanted(): boolean;
  heartbeatEveryMs: number;
}

/**
 * Waits for the budget to drain to half, heartbeating meanwhile. Resolves false when the wait
 * stopped being wanted or the heartbeat failed (a rebalance: the caller gives its batch back).
 */
export async function awaitBudget(budget: InFlightBudget, wait: BudgetWait): Promise<boolean> {
  let drained = false;
  const ready = budget.drained().then(() => (drained = true));
  while (!drained) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ready,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, wait.heartbeatEveryMs))),
    ]);
    clearTimeout(timer);
    if (!wait.stillWanted()) return false;
    if (drained) break;
    try {
      await wait.heartbeat();
    } catch {
      // Only a rebalance (or a consumer going away) fails a heartbeat: kafkajs rejoins after this batch.
      return false;
    }
  }
  return wait.stillWanted();
}
