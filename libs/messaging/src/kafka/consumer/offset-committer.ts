import type { TopicPartitionOffsetAndMetadata } from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';

/** The one method of the kafkajs consumer the committer uses. */
export interface CommitTarget {
  commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void>;
}

interface PartitionOffsets {
  topic: string;
  partition: number;
  /** Offset after the last completed record: what Kafka stores as the group's position. */
  done: number;
  committed: number;
}

/**
 * Commits the offsets of completed records: never kafkajs' own resolved offsets, which run
 * ahead (they are the fetch position of records still queued). One commit is in flight at a
 * time; requests made meanwhile are folded into one more commit after it.
 */
export class OffsetCommitter {
  private readonly partitions = new Map<string, PartitionOffsets>();
  private inFlight: Promise<boolean> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: CommitTarget,
    private readonly logger: MessagingLogger,
    /** Offsets are committed only for partitions this says the consumer owns. */
    private readonly owns: (topic: string, partition: number) => boolean,
  ) {}

  /** Marks a record complete; its offset is committed by the next flush. */
  markDone(topic: string, partition: number, offset: string, key = `${topic}|${partition}`): void {
    const next = Number(offset) + 1;
    const entry = this.partitions.get(key);
    if (entry) entry.done = Math.max(entry.done, next);
    else this.partitions.set(key, { topic, partition, done: next, committed: -1 });
  }

  /** Forgets a partition that was revoked: whatever it had not committed is redelivered elsewhere. */
  forget(topic: string, partition: number): void {
    this.partitions.delete(`${topic}|${partition}`);
  }

  /** Commits every completed offset not committed yet; resolves false if the commit failed. */
  flush(): Promise<boolean> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.run();
    return this.inFlight;
  }

  /** Flushes every `intervalMs` until stopped. */
  startInterval(intervalMs: number): void {
    this.stopInterval();
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  stopInterval(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async run(): Promise<boolean> {
    let ok = true;
    try {
      do {
        this.again = false;
        ok = await this.commitOnce();
      } while (this.again);
    } finally {
      this.inFlight = undefined;
    }
    return ok;
  }

  private async commitOnce(): Promise<boolean> {
    const due = [...this.partitions.values()].filter(
      (p) => p.done > p.committed && this.owns(p.topic, p.partition),
    );
    if (due.length === 0) return true;
    const offsets = due.map((p) => ({ topic: p.topic, partition: p.partition, done: p.done }));
    try {
      await this.target.commitOffsets(
        offsets.map(({ topic, partition, done }) => ({ topic, partition, offset: String(done) })),
      );
    } catch (error: unknown) {
      // The records stay uncommitted and are delivered again after a restart: at-least-once.
      this.logger.warn({ err: error, offsets }, 'offset commit failed; will try again');
      return false;
    }
    for (const committed of offsets) {
      const entry = this.partitions.get(`${committed.topic}|${committed.partition}`);
      if (entry) entry.committed = Math.max(entry.committed, committed.done);
    }
    return true;
  }
}
