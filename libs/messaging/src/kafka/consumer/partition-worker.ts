import type { KafkaMessage } from 'kafkajs';
import { recordBytes, type ConcurrencyLimiter } from './in-flight-budget';

/** What a worker needs from its consumer. */
export interface PartitionWorkerDeps {
  /**
   * Takes a record to its final outcome; false when interrupted (the record stays uncommitted).
   * Synchronous when the handler is.
   */
  process(worker: PartitionWorker, message: KafkaMessage): boolean | Promise<boolean>;
  /** Shared across partitions: how many handlers may run at once. */
  limiter: ConcurrencyLimiter;
  /** A record completed: its offset may be committed and its share of the budget returned. */
  onDone(worker: PartitionWorker, message: KafkaMessage): void;
  /**
   * The queue emptied, or the worker stopped; `dropped` records (of `droppedBytes`, see
   * `recordBytes`) were given back unprocessed. `error` is set when processing threw (a bug,
   * not a handler failure): the worker stopped.
   */
  onIdle(worker: PartitionWorker, dropped: number, droppedBytes: number, error?: unknown): void;
}

/** Records handled between two yields to the event loop. */
const YIELD_EVERY = 64;

/**
 * The records of one partition, handled strictly one after the other in offset order. The
 * consumer appends what it fetches; the worker drains the queue in the background, so a slow
 * partition never holds up the fetching of the others.
 */
export class PartitionWorker {
  private queue: Array<KafkaMessage | undefined> = [];
  private head = 0;
  private loop: Promise<void> = Promise.resolve();
  /** Set while drain() runs; a flag, because a synchronous drain ends before its promise is stored. */
  private draining = false;
  private readonly abortController = new AbortController();
  /** Offset after the last record appended: a refetch of anything older is ignored. */
  private acceptedUpTo = -1;
  /** Offset of the last record that completed. */
  lastDone: number | undefined;
  /** `topic|partition`, the key of this partition in the consumer's maps. */
  readonly key: string;
  /** Set when the worker stopped with records left: the offset of the first one not completed. */
  abandonedFrom: number | undefined;
  /** From the latest batch: the partition's high watermark, for the lag metric. */
  highWatermark = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** The group generation (counted locally) the worker belongs to. */
    readonly epoch: number,
    private readonly deps: PartitionWorkerDeps,
  ) {
    this.key = `${topic}|${partition}`;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  get stopped(): boolean {
    return this.abortController.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  /** The offset the next new record must have: records below it are already queued or done. */
  get nextOffset(): number {
    return this.acceptedUpTo;
  }

  /** The offset from which this partition still has work (for the lag metric). */
  get position(): number {
    const next = this.queue[this.head];
    if (next) return Number(next.offset);
    return this.lastDone === undefined ? this.acceptedUpTo : this.lastDone + 1;
  }

  /** Records the first offset the worker starts from (a fresh assignment's fetch position). */
  startAt(offset: number): void {
    if (this.acceptedUpTo < 0) this.acceptedUpTo = offset;
  }

  /** Appends records (in offset order) and starts draining if idle. */
  enqueue(messages: readonly KafkaMessage[]): void {
    if (messages.length === 0 || this.stopped) return;
    for (const message of messages) this.queue.push(message);
    const last = messages[messages.length - 1];
    if (last) this.acceptedUpTo = Number(last.offset) + 1;
    if (!this.draining) {
      this.draining = true;
      this.loop = this.drain();
    }
  }

  /** Stops after the record in hand; queued records are dropped (they were never committed). */
  abort(): Promise<void> {
    this.abortController.abort();
    return this.idle();
  }

  /** Resolves when nothing is being handled. */
  idle(): Promise<void> {
    return this.loop;
  }

  private async drain(): Promise<void> {
    let dropped = 0;
    let droppedBytes = 0;
    let failure: unknown;
    let sinceYield = 0;
    try {
      while (!this.stopped && this.head < this.queue.length) {
        const message = this.queue[this.head];
        if (!message) break;
        if (!this.deps.limiter.tryAcquire()) await this.deps.limiter.acquire();
        let done: boolean;
        try {
          const outcome = this.deps.process(this, message);
          done = typeof outcome === 'boolean' ? outcome : await outcome;
        } finally {
          this.deps.limiter.release();
        }
        if (!done) break;
        this.queue[this.head] = undefined;
        this.head++;
        this.compact();
        this.lastDone = Number(message.offset);
        this.deps.onDone(this, message);
        // Synchronous handlers never yield on their own: let fetches, heartbeats and the
        // other partitions in now and then.
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } catch (error: unknown) {
      failure = error;
      this.abortController.abort();
    } finally {
      if (this.stopped) {
        const first = this.queue[this.head];
        if (first) this.abandonedFrom = Number(first.offset);
        dropped = this.queued;
        for (let i = this.head; i < this.queue.length; i++) {
          const left = this.queue[i];
          if (left) droppedBytes += recordBytes(left);
        }
        this.queue = [];
        this.head = 0;
      }
      this.draining = false;
      this.deps.onIdle(this, dropped, droppedBytes, failure);
    }
  }

  // Dequeuing by index keeps it O(1); the consumed prefix is cut off now and then.
  private compact(): void {
    if (this.head >= 1_024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * Lets workers finish their queues for up to `timeoutMs`, then stops them after the record in
 * hand: what is left stays uncommitted and is delivered again.
 */
export async function drainWorkers(
  workers: readonly PartitionWorker[],
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(workers.map((w) => w.idle())),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
  await Promise.all(workers.map((w) => w.abort()));
}
