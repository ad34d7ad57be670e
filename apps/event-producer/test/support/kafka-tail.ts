import {
  createKafka,
  ensureTopics,
  headersToStrings,
  partitionForKey,
  silentLogger,
} from '@streamline/messaging';
import { TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import type { Admin, Consumer, Kafka } from 'kafkajs';

/** A record as a test reads it back: where it landed, key, headers and parsed value. */
export interface ReceivedRecord {
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  value: unknown;
}

/** One kafkajs client for a test file. */
export function testKafka(): Kafka {
  return createKafka({
    brokers: TEST_ENV.kafkaBrokers,
    clientId: uniqueName('event-producer-it'),
    logger: silentLogger,
  });
}

/** Creates a topic of the test's own (deleted by `deleteTopic`). */
export async function createTopic(admin: Admin, partitions: number): Promise<string> {
  const topic = uniqueName('it.event-producer');
  await ensureTopics(admin, [{ name: topic, partitions }]);
  return topic;
}

/** The partition the Java client (murmur2 of the key) picks on a topic of `count` partitions. */
export function javaPartitionOf(key: string, count: number): number {
  return partitionForKey(key, count);
}

/**
 * Reads a topic in the background into `records`. `from: 'end'` starts at the offsets the topic
 * has now, so a shared topic's history is skipped (the records of this run come after).
 */
export class TopicTail {
  readonly records: ReceivedRecord[] = [];

  private constructor(
    private readonly consumer: Consumer,
    private readonly admin: Admin,
    private readonly groupId: string,
  ) {}

  static async start(
    kafka: Kafka,
    admin: Admin,
    topic: string,
    from: 'beginning' | 'end',
  ): Promise<TopicTail> {
    const ends = from === 'end' ? await admin.fetchTopicOffsets(topic) : [];
    const groupId = uniqueName('it.event-producer.tail');
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const tail = new TopicTail(consumer, admin, groupId);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        tail.records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          headers: headersToStrings(message.headers),
          value: message.value === null ? null : (JSON.parse(message.value.toString()) as unknown),
        });
      },
    });
    for (const end of ends) consumer.seek({ topic, partition: end.partition, offset: end.high });
    return tail;
  }

  /** Waits until `count` records match, and returns them. */
  async waitFor(
    match: (record: ReceivedRecord) => boolean,
    count = 1,
    what = 'records',
  ): Promise<ReceivedRecord[]> {
    return waitFor(
      () => {
        const found = this.records.filter(match);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs: 30_000, what: `${count} ${what}` },
    );
  }

  /** Records whose value has this eventId. */
  withEventId(eventId: string): ReceivedRecord[] {
    return this.records.filter(
      (r) => (r.value as { eventId?: string } | null)?.eventId === eventId,
    );
  }

  /** Leaves and deletes its consumer group (the admin must still be connected). */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
  }
}
