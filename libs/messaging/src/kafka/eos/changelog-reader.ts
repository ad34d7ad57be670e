import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { silentLogger, type MessagingLogger } from '../../logging/messaging-logger';

export interface ReadToEndOptions {
  kafka: Kafka;
  topic: string;
  /** Partitions to read; records of the others are skipped. */
  partitions: readonly number[];
  /** Names the throwaway consumer group (deleted afterwards). */
  groupPrefix: string;
  /** Receives each partition's records in offset order. */
  onRecords: (partition: number, records: readonly KafkaMessage[]) => void;
  /** Default 60 000. */
  timeoutMs?: number;
  logger?: MessagingLogger;
}

/** What a read covered. */
export interface ReadToEndResult {
  records: number;
  durationMs: number;
}

/**
 * Reads partitions of a topic (a compacted changelog, a table topic) from the beginning to the
 * high watermark they had when the call began, `read_committed`. Call it after fencing the
 * producers that write those partitions: then every transaction below that mark is decided and
 * the read sees exactly the committed state. kafkajs cannot assign partitions without a group,
 * so a fresh group reads and is deleted; control records and compacted gaps count as read
 * (the batch-end event carries their offsets).
 */
export async function readPartitionsToEnd(options: ReadToEndOptions): Promise<ReadToEndResult> {
  const started = Date.now();
  const { kafka, topic } = options;
  const wanted = new Set(options.partitions);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${options.groupPrefix}.read-${randomUUID()}`;
  let records = 0;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    // The last offset each partition must reach; empty partitions need no read.
    const pending = new Map<number, bigint>();
    for (const { partition, high, low } of offsets) {
      if (wanted.has(partition) && BigInt(high) > BigInt(low)) {
        pending.set(partition, BigInt(high) - 1n);
      }
    }
    if (pending.size === 0) return { records, durationMs: Date.now() - started };
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const progress = (partition: number, lastOffset: string | null) => {
      const target = pending.get(partition);
      if (target === undefined || lastOffset === null) return;
      if (BigInt(lastOffset) >= target) pending.delete(partition);
      if (pending.size === 0) done();
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic === topic) progress(payload.partition, payload.lastOffset);
    });
    await consumer.connect();
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (!wanted.has(batch.partition) || !pending.has(batch.partition)) return;
          records += batch.messages.length;
          options.onRecords(batch.partition, batch.messages);
        },
      });
      const timeoutMs = options.timeoutMs ?? 60_000;
      await Promise.race([
        finished,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `reading ${topic} partitions ${[...pending.keys()].join(',')} to their end took over ${timeoutMs} ms`,
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
    }
    await admin.deleteGroups([groupId]).catch((error: unknown) => {
      // A group with no offsets may be gone already; nothing else depends on it.
      (options.logger ?? silentLogger).warn({ err: error, groupId }, 'reader group not deleted');
    });
    return { records, durationMs: Date.now() - started };
  } finally {
    await admin.disconnect();
  }
}
