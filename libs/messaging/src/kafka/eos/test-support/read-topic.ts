import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

// No @streamline/testing here: a non-spec file of this library may not depend on it.
async function until(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A record as a reader saw it. */
export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
}

/**
 * Reads a topic from the beginning to its current end with a fresh group: done when the group
 * has committed the high watermark of every partition (transaction markers and aborted records
 * included), so what it returns is everything this isolation level lets a reader see.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
): Promise<ReadRecord[]> {
  const groupId = `it.eos.reader-${randomUUID()}`;
  const ends = await admin.fetchTopicOffsets(topic);
  const records: ReadRecord[] = [];
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: isolation === 'read_uncommitted',
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommitThreshold: 1,
      eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
        records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
        });
      },
    });
    await until(
      async () => {
        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        const at = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]));
        return ends.every((end) => end.high === '0' || at.get(end.partition) === end.high);
      },
      `${topic} read to its end (${isolation})`,
      30_000,
    );
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return records;
}
