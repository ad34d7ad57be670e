import type { Consumer } from 'kafkajs';

/** Why a partition stopped fetching. */
export type PauseReason = 'budget' | 'partition-queue';

export interface PartitionRef {
  topic: string;
  partition: number;
}

/** Observers of flow control (tests, logs). */
export interface FlowControlListener {
  paused(partition: PartitionRef & { reason: PauseReason }): void;
  resumed(partition: PartitionRef): void;
}

/**
 * Backpressure: partitions whose records did not fit the in-flight budget are paused (kafkajs
 * then fetches nothing for them) and resumed once the handlers have caught up. Only partitions
 * paused here are resumed here.
 */
export class PartitionFlowControl {
  private readonly paused = new Map<string, PartitionRef>();

  constructor(
    private readonly consumer: Pick<Consumer, 'pause' | 'resume'>,
    private readonly listener: FlowControlListener,
  ) {}

  get pausedCount(): number {
    return this.paused.size;
  }

  isPaused(topic: string, partition: number): boolean {
    return this.paused.has(`${topic}|${partition}`);
  }

  pause(topic: string, partition: number, reason: PauseReason): void {
    const key = `${topic}|${partition}`;
    if (this.paused.has(key)) return;
    this.paused.set(key, { topic, partition });
    this.consumer.pause([{ topic, partitions: [partition] }]);
    this.listener.paused({ topic, partition, reason });
  }

  /** Resumes the paused partitions that `mayResume` lets go. */
  resumeWhere(mayResume: (ref: PartitionRef) => boolean): void {
    for (const [key, ref] of this.paused) {
      if (!mayResume(ref)) continue;
      this.paused.delete(key);
      this.consumer.resume([{ topic: ref.topic, partitions: [ref.partition] }]);
      this.listener.resumed(ref);
    }
  }

  /** After a rebalance: kafkajs keeps pauses across generations, a new assignment starts unpaused. */
  resumeAll(): void {
    this.resumeWhere(() => true);
  }
}
