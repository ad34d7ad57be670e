import { Partitioners, type ICustomPartitioner, type PartitionerArgs } from 'kafkajs';

/**
 * kafkajs' DefaultPartitioner (murmur2 of the key bytes, positive, modulo the partition count:
 * what the Java client does for keyed records), made stable per message: kafkajs asks the
 * partitioner again when it retries, and a keyless record must not move to another partition
 * between attempts. The chosen partition is kept in `assignments`, which is also how the
 * producer learns each record's partition to compute its offset.
 */
export function createStablePartitioner(assignments: WeakMap<object, number>): ICustomPartitioner {
  return () => {
    const partitioner = Partitioners.DefaultPartitioner();
    return (args: PartitionerArgs): number => {
      const known = assignments.get(args.message);
      if (known !== undefined) return known;
      const partition = partitioner(args);
      assignments.set(args.message, partition);
      return partition;
    };
  };
}

/** The partition the Java client and this producer choose for a key on a topic of `partitionCount` partitions. */
export function partitionForKey(key: Buffer | string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partitionCount must be a positive integer (got ${partitionCount})`);
  }
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({
    topic: 'any',
    partitionMetadata,
    message: { key, value: null },
  });
}
