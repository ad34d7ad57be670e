import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { waitFor } from '../infra/wait-for';

/** A record as a reader saw it. */
export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  /** Header values as UTF-8 text (the last value of a repeated header). */
  headers: Record<string, string>;
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
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
  const groupId = `it.reader-${randomUUID()}`;
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
          headers: headersOf(message),
        });
      },
    });
    await waitFor(
      async () => {
        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        const at = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]));
        const done = ends.every((end) => end.high === '0' || at.get(end.partition) === end.high);
        return done ? true : undefined;
      },
      { what: `${topic} read to its end (${isolation})`, timeoutMs: 30_000 },
    );
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return records;
}
