import type { PartitionRef } from './flow-control';

/**
 * The partitions this member owns, and since which (locally counted) generation it has owned
 * each without a break. Work begun in an older generation on a partition that was lost in
 * between must not be committed: the partition's new owner may be further along.
 */
export class GroupAssignment {
  private readonly ownedSince = new Map<string, number>();
  private generation = 0;

  /** The current generation, counted from 1 at the first join. */
  get epoch(): number {
    return this.generation;
  }

  owns(key: string): boolean {
    return this.ownedSince.has(key);
  }

  /** Whether work begun in `epoch` on partition `key` may still be committed. */
  ownedThroughout(key: string, epoch: number): boolean {
    const since = this.ownedSince.get(key);
    return since !== undefined && since <= epoch;
  }

  /** Takes the assignment of a new generation and returns the partitions that were lost. */
  join(assignment: Record<string, number[]>): PartitionRef[] {
    this.generation++;
    const assigned = new Map<string, PartitionRef>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions)
        assigned.set(`${topic}|${partition}`, { topic, partition });
    }
    const lost: PartitionRef[] = [];
    for (const key of [...this.ownedSince.keys()]) {
      if (assigned.has(key)) continue;
      this.ownedSince.delete(key);
      const at = key.lastIndexOf('|');
      lost.push({ topic: key.slice(0, at), partition: Number(key.slice(at + 1)) });
    }
    for (const key of assigned.keys()) {
      if (!this.ownedSince.has(key)) this.ownedSince.set(key, this.generation);
    }
    return lost;
  }
}
