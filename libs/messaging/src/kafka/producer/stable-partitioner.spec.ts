import { createStablePartitioner, partitionForKey } from './stable-partitioner';

/**
 * Key → partition as the Java client (kafka-clients 3.9.2) computes it:
 * `BuiltInPartitioner.partitionForKey(key.getBytes(UTF_8), n)`, i.e.
 * `toPositive(murmur2(bytes)) % n`. Produced by test-support/PartitionVectors.java
 * (its header says how to compile and run it against `bash infra/infra.sh classpath`);
 * copied here unchanged. The keys cover each length mod 4 (murmur2's tail cases), and
 * multi-byte UTF-8 (bytes >= 0x80, where a signed/unsigned slip would show).
 */
const JAVA_VECTORS: ReadonlyArray<{ key: string; partitions: Record<number, number> }> = [
  { key: '', partitions: { 1: 0, 3: 0, 6: 3, 12: 9, 50: 31 } },
  { key: 'a', partitions: { 1: 0, 3: 1, 6: 4, 12: 4, 50: 24 } },
  { key: 'ab', partitions: { 1: 0, 3: 2, 6: 2, 12: 2, 50: 34 } },
  { key: 'abc', partitions: { 1: 0, 3: 0, 6: 3, 12: 3, 50: 7 } },
  { key: 'abcd', partitions: { 1: 0, 3: 2, 6: 2, 12: 8, 50: 0 } },
  { key: 'abcde', partitions: { 1: 0, 3: 1, 6: 1, 12: 1, 50: 41 } },
  { key: 'device-0', partitions: { 1: 0, 3: 1, 6: 4, 12: 10, 50: 20 } },
  { key: 'device-1', partitions: { 1: 0, 3: 1, 6: 4, 12: 10, 50: 28 } },
  { key: 'device-42', partitions: { 1: 0, 3: 0, 6: 3, 12: 9, 50: 9 } },
  { key: 'sensor-7f3a9c', partitions: { 1: 0, 3: 0, 6: 3, 12: 9, 50: 29 } },
  { key: 'user-1', partitions: { 1: 0, 3: 2, 6: 2, 12: 8, 50: 28 } },
  { key: 'user-123456789', partitions: { 1: 0, 3: 0, 6: 3, 12: 9, 50: 29 } },
  { key: 'thermostat.kitchen', partitions: { 1: 0, 3: 2, 6: 2, 12: 2, 50: 36 } },
  { key: 'Z\u00fcrich-\u00e9', partitions: { 1: 0, 3: 0, 6: 0, 12: 0, 50: 42 } },
  { key: '\u65e5\u672c\u8a9e\u30ad\u30fc', partitions: { 1: 0, 3: 1, 6: 4, 12: 10, 50: 32 } },
  { key: 'emoji-\ud83d\ude80', partitions: { 1: 0, 3: 2, 6: 2, 12: 2, 50: 20 } },
  {
    key: 'a-rather-long-key-that-spans-many-four-byte-blocks-0123456789',
    partitions: { 1: 0, 3: 0, 6: 3, 12: 9, 50: 33 },
  },
];

const metadata = (count: number) =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));

describe('keyed partitioning', () => {
  const cases = JAVA_VECTORS.flatMap(({ key, partitions }) =>
    Object.entries(partitions).map(([count, partition]) => ({
      key,
      count: Number(count),
      partition,
    })),
  );

  it.each(cases)(
    'puts key $key on partition $partition of $count, as the Java client does',
    ({ key, count, partition }) => {
      expect(partitionForKey(key, count)).toBe(partition);
      expect(partitionForKey(Buffer.from(key, 'utf8'), count)).toBe(partition);
    },
  );

  it('is what the producer uses: the stable partitioner gives keyed records the same partitions', () => {
    const partition = createStablePartitioner(new WeakMap())();
    for (const { key, partitions } of JAVA_VECTORS) {
      const message = { key, value: 'v' };
      expect(partition({ topic: 't', partitionMetadata: metadata(12), message })).toBe(
        partitions[12],
      );
    }
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => partitionForKey('k', 0)).toThrow(RangeError);
    expect(() => partitionForKey('k', 2.5)).toThrow(RangeError);
  });
});

describe('createStablePartitioner', () => {
  it('gives a keyless record the same partition when kafkajs asks again on a retry', () => {
    const assignments = new WeakMap<object, number>();
    const partition = createStablePartitioner(assignments)();
    const messages = Array.from({ length: 6 }, () => ({ key: null, value: 'v' }));
    const first = messages.map((message) =>
      partition({ topic: 't', partitionMetadata: metadata(3), message }),
    );
    const again = messages.map((message) =>
      partition({ topic: 't', partitionMetadata: metadata(3), message }),
    );
    expect(again).toEqual(first);
    // Round-robin: keyless records do spread, so stability is not an accident of one partition.
    expect(new Set(first).size).toBe(3);
    expect(messages.map((m) => assignments.get(m))).toEqual(first);
  });

  it('honours an explicit partition', () => {
    const partition = createStablePartitioner(new WeakMap())();
    const message = { key: 'device-0', value: 'v', partition: 2 };
    expect(partition({ topic: 't', partitionMetadata: metadata(3), message })).toBe(2);
  });
});
