/** Milliseconds since some fixed origin; `Date.now` unless a test injects its own. */
export type Clock = () => number;

/**
 * A token bucket: tokens accrue at `ratePerSecond` up to `capacity`, and each unit of
 * work takes some. The capacity bounds the burst after a stall, so a slow event loop
 * does not turn into a flood when it catches up.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    private readonly clock: Clock = Date.now,
    initialTokens = 0,
  ) {
    if (!(ratePerSecond >= 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`rate must be a finite number >= 0, got ${ratePerSecond}`);
    }
    if (!(capacity > 0) || !Number.isFinite(capacity)) {
      throw new RangeError(`capacity must be a finite number > 0, got ${capacity}`);
    }
    this.tokens = Math.min(capacity, Math.max(0, initialTokens));
    this.last = clock();
  }

  /** Tokens available now (fractional). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Takes `count` tokens if that many are available; otherwise takes none. */
  tryTake(count = 1): boolean {
    this.refill();
    if (this.tokens + 1e-9 < count) return false;
    this.tokens = Math.max(0, this.tokens - count);
    return true;
  }

  /** Milliseconds until `count` tokens will be available (0 if they are; Infinity if never). */
  msUntil(count = 1): number {
    this.refill();
    if (this.tokens >= count) return 0;
    if (count > this.capacity || this.ratePerSecond === 0) return Number.POSITIVE_INFINITY;
    return ((count - this.tokens) / this.ratePerSecond) * 1_000;
  }

  private refill(): void {
    const now = this.clock();
    const elapsed = now - this.last;
    this.last = now;
    if (elapsed > 0)
      this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1_000) * this.ratePerSecond);
  }
}

export interface PacerOptions {
  /** Units of work per second (readings, events). */
  ratePerSecond: number;
  /** Units one call of `work` consumes (the batch size). */
  unitsPerCall: number;
  /** How often the pacer wakes; smaller is smoother. */
  tickMs?: number;
  clock?: Clock;
}

export interface Pacer {
  stop(): void;
}

/**
 * Calls `work` as often as the rate allows, each call consuming `unitsPerCall` tokens.
 * The bucket holds about 100 ms of work (and at least one call), so the pace stays
 * even instead of arriving in bursts.
 */
export function startPacer(options: PacerOptions, work: () => void): Pacer {
  const tickMs = options.tickMs ?? 10;
  const capacity = Math.max(options.unitsPerCall, options.ratePerSecond / 10);
  const bucket = new TokenBucket(options.ratePerSecond, capacity, options.clock ?? Date.now);
  let stopped = false;
  const timer = setInterval(() => {
    while (!stopped && bucket.tryTake(options.unitsPerCall)) work();
  }, tickMs);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
