/** What the buffer needs to know of each queued entry. */
export interface BufferedEntry {
  /** Size counted against the batch and buffer limits. */
  readonly bytes: number;
  /** Epoch ms when it was queued: the batch waits at most `lingerMs` past its oldest entry. */
  readonly queuedAt: number;
  /** Epoch ms after which it is expired instead of sent. Non-decreasing in queue order. */
  readonly deadline: number;
}

export interface LingerBufferLimits {
  lingerMs: number;
  batchMaxRecords: number;
  batchMaxBytes: number;
  bufferMaxBytes: number;
}

export interface LingerBufferHandlers<E> {
  /** Sends one batch. The next batch is cut when this settles, so batches go out one at a time. */
  send(batch: E[]): Promise<void>;
  /** Entries whose deadline passed while they waited for their turn. */
  expire(entries: E[]): void;
}

/**
 * The accumulator kafkajs lacks (Java's `linger.ms`): entries wait until a batch is full
 * (`batchMaxRecords` or `batchMaxBytes`), or the oldest has waited `lingerMs`, or a flush is
 * asked, and then go out as one batch. While a batch is in flight the next one fills up,
 * so under load batches grow by themselves and linger costs nothing.
 */
export class LingerBuffer<E extends BufferedEntry> {
  private queue: E[] = [];
  private head = 0;
  private queuedBytes = 0;
  private inFlight = false;
  private flushRequested = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly limits: LingerBufferLimits,
    private readonly handlers: LingerBufferHandlers<E>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Entries waiting (not counting the batch in flight). */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Bytes waiting (not counting the batch in flight). */
  get bytes(): number {
    return this.queuedBytes;
  }

  /** Queues an entry; false when the buffer already holds `bufferMaxBytes` (an entry alone always fits). */
  add(entry: E): boolean {
    if (this.length > 0 && this.queuedBytes + entry.bytes > this.limits.bufferMaxBytes) {
      return false;
    }
    this.queue.push(entry);
    this.queuedBytes += entry.bytes;
    this.pump();
    return true;
  }

  /** Sends everything queued without waiting for linger; resolves when nothing is queued or in flight. */
  flush(): Promise<void> {
    this.flushRequested = true;
    this.pump();
    return this.whenIdle();
  }

  /** Resolves when nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (this.length === 0 && !this.inFlight) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.inFlight) {
      // Entries waiting behind the batch in flight must still expire on time.
      const next = this.queue[this.head];
      if (next !== undefined) this.armExpiry(next);
      return;
    }
    this.dropExpired();
    // An expiry callback may have sent a new record, and so a batch, meanwhile.
    if (this.inFlight) return;
    if (this.length === 0) {
      this.flushRequested = false;
      this.clearTimers();
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    const oldest = this.queue[this.head] as E;
    const waited = this.clock() - oldest.queuedAt;
    const full =
      this.length >= this.limits.batchMaxRecords || this.queuedBytes >= this.limits.batchMaxBytes;
    if (full || this.flushRequested || waited >= this.limits.lingerMs) {
      this.dispatch();
      return;
    }
    if (this.lingerTimer === undefined) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.pump();
      }, this.limits.lingerMs - waited);
    }
    this.armExpiry(oldest);
  }

  private dispatch(): void {
    if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    const batch: E[] = [];
    let bytes = 0;
    while (this.head < this.queue.length && batch.length < this.limits.batchMaxRecords) {
      const entry = this.queue[this.head] as E;
      if (batch.length > 0 && bytes + entry.bytes > this.limits.batchMaxBytes) break;
      batch.push(entry);
      bytes += entry.bytes;
      this.head += 1;
    }
    this.queuedBytes -= bytes;
    this.compact();
    this.inFlight = true;
    const done = (): void => {
      this.inFlight = false;
      this.pump();
    };
    this.handlers.send(batch).then(done, done);
    const next = this.queue[this.head];
    if (next !== undefined) this.armExpiry(next);
  }

  private dropExpired(): void {
    const now = this.clock();
    const expired: E[] = [];
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head] as E;
      if (entry.deadline > now) break;
      expired.push(entry);
      this.queuedBytes -= entry.bytes;
      this.head += 1;
    }
    if (expired.length === 0) return;
    this.compact();
    this.handlers.expire(expired);
  }

  private armExpiry(oldest: E): void {
    if (this.expiryTimer !== undefined) return;
    const delay = Math.max(0, oldest.deadline - this.clock());
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      if (this.inFlight) this.dropExpired();
      this.pump();
    }, delay);
    // Sends in flight keep the process alive; a timer that only expires entries must not.
    this.expiryTimer.unref();
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private clearTimers(): void {
    if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
    this.lingerTimer = undefined;
    this.expiryTimer = undefined;
  }
}
