import { contractHeaders, telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import { TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import { Partitioners, type Admin, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { createKafka } from '../../kafka-client';
import { silentLogger } from '../../../logging/messaging-logger';

/** A record as a test produces it. */
export interface TestRecord {
  key: string | null;
  value: string | Buffer | null;
  headers?: IHeaders;
  partition?: number;
}

/** A consumed record with where it was read. */
export interface ReadRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Topics, producers and readers for the consumer integration tests. Every name it makes is
 * unique; `cleanup()` deletes only what this kit created.
 */
export class KafkaTestKit {
  readonly kafka: Kafka;
  private admin: Admin | undefined;
  private readonly topics = new Set<string>();
  private readonly groups = new Set<string>();

  constructor(clientId = uniqueName('it.consumer')) {
    this.kafka = createKafka({ brokers: TEST_ENV.kafkaBrokers, clientId, logger: silentLogger });
  }

  async connect(): Promise<Admin> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    return this.admin;
  }

  /** A unique group id, deleted at cleanup. */
  group(prefix: string): string {
    const group = uniqueName(prefix);
    this.groups.add(group);
    return group;
  }

  /** Creates a topic with a unique name and its `.retry`/`.dlq` topics if asked. */
  async topic(
    prefix: string,
    partitions: number,
    options: { retry?: boolean; dlq?: boolean } = {},
  ): Promise<string> {
    const name = uniqueName(prefix);
    const names = [name];
    if (options.retry) names.push(`${name}.retry`);
    if (options.dlq) names.push(`${name}.dlq`);
    await this.createTopics(
      names.map((topic) => ({ topic, partitions: topic.endsWith('.dlq') ? 1 : partitions })),
    );
    return name;
  }

  async createTopics(specs: Array<{ topic: string; partitions: number }>): Promise<void> {
    const admin = await this.connect();
    for (const spec of specs) this.topics.add(spec.topic);
    await admin.createTopics({
      waitForLeaders: true,
      topics: specs.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: 1,
      })),
    });
  }

  /** Produces in sends of `chunk` records: each send makes one record batch per partition. */
  async produce(topic: string, records: readonly TestRecord[], chunk = 500): Promise<void> {
    const producer = this.kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      for (let i = 0; i < records.length; i += chunk) {
        const messages = records.slice(i, i + chunk).map((r) => ({ ...r }));
        await producer.send({ topic, acks: -1, messages });
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** Reads a topic from the beginning until `count` records arrived. */
  async read(topic: string, count: number, timeoutMs = 30_000): Promise<ReadRecord[]> {
    const received: ReadRecord[] = [];
    const consumer = this.kafka.consumer({
      groupId: this.group('it.reader'),
      maxWaitTimeInMs: 200,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic: t, partition, message }) => {
          received.push({ topic: t, partition, message });
        },
      });
      await waitFor(() => (received.length >= count ? true : undefined), {
        timeoutMs,
        what: `${count} records on ${topic} (have ${received.length})`,
      });
    } finally {
      await consumer.disconnect();
    }
    return received;
  }

  /** The group's committed offsets of a topic, by partition. */
  async committed(groupId: string, topic: string): Promise<Map<number, number>> {
    const admin = await this.connect();
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  }

  async cleanup(): Promise<void> {
    const admin = await this.connect();
    await admin.deleteTopics({ topics: [...this.topics] }).catch(() => undefined);
    await admin.deleteGroups([...this.groups]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A valid telemetry record keyed by its device, with the contract headers. */
export function telemetry(
  deviceId: string,
  seq: number,
  extra: Partial<TelemetryRecord> = {},
): TestRecord {
  const value: TelemetryRecord = {
    deviceId,
    ts: 1_700_000_000_000 + seq,
    seq,
    metrics: { temperature: 20 + (seq % 10) },
    ingestedAt: 1_700_000_000_500 + seq,
    ...extra,
  };
  return {
    key: deviceId,
    value: JSON.stringify(value),
    headers: contractHeaders(telemetryContract),
  };
}
