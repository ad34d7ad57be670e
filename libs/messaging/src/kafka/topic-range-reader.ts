import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { sleep } from './retry/abortable-wait';

/** Offsets `[fromOffset, toOffset)` of one partition. */
export interface PartitionRange {
  topic: string;
  partition: number;
  fromOffset: string;
  toOffset: string;
}

/**
 * Reads the given offset ranges once (read_committed) and calls `onMessage` for each record in
 * them: for checks after a crash ("which of these did I already write?"). Uses a throwaway
 * consumer group that is deleted afterwards; rejects after `timeoutMs`.
 */
export async function readPartitionRanges(
  kafka: Kafka,
  ranges: readonly PartitionRange[],
  onMessage: (topic: string, partition: number, message: KafkaMessage) => void,
  options: { timeoutMs?: number; groupPrefix?: string } = {},
): Promise<void> {
  const wanted = ranges.filter((r) => BigInt(r.fromOffset) < BigInt(r.toOffset));
  if (wanted.length === 0) return;
  const remaining = new Map(wanted.map((r) => [`${r.topic}|${r.partition}`, r]));
  const groupId = `${options.groupPrefix ?? 'range-reader'}-${randomBytes(6).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const topics = [...new Set(wanted.map((r) => r.topic))];
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset }) => {
        const range = remaining.get(`${batch.topic}|${batch.partition}`);
        if (!range) return;
        const to = BigInt(range.toOffset);
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset >= BigInt(range.fromOffset) && offset < to) {
            onMessage(batch.topic, batch.partition, message);
          }
          resolveOffset(message.offset);
        }
        // Transaction markers take offsets too: the end is reached once the fetch passed it.
        if (BigInt(batch.highWatermark) >= to && BigInt(batch.lastOffset()) + 1n >= to) {
          remaining.delete(`${batch.topic}|${batch.partition}`);
        }
      },
    });
    for (const range of wanted) {
      consumer.seek({ topic: range.topic, partition: range.partition, offset: range.fromOffset });
    }
    while (remaining.size > 0) {
      if (Date.now() > deadline) {
        throw new Error(`reading ${remaining.size} partition range(s) timed out`);
      }
      await sleep(50);
    }
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
