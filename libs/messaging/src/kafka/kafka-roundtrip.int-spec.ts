import { HEADERS, parseJson, telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import { TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import type { Admin, Kafka } from 'kafkajs';
import { KafkaProducer } from './producer/kafka-producer';
import { createKafka } from './kafka-client';
import { headersToStrings } from './record-headers';
import { ensureTopics } from './topic-admin';
import { silentLogger } from '../logging/messaging-logger';

describe('shared Kafka plumbing against the real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topic = uniqueName('it.roundtrip');

  beforeAll(async () => {
    kafka = createKafka({
      brokers: TEST_ENV.kafkaBrokers,
      clientId: 'messaging-it',
      logger: silentLogger,
    });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('ensureTopics creates a missing topic with its settings, and a second run changes nothing', async () => {
    const spec = {
      name: topic,
      partitions: 3,
      configEntries: [{ name: 'retention.ms', value: '3600000' }],
    };
    const first = await ensureTopics(admin, [spec]);
    expect(first).toEqual({ created: [topic], existing: [], grown: [] });

    const second = await ensureTopics(admin, [spec]);
    expect(second).toEqual({ created: [], existing: [topic], grown: [] });

    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
    const configs = await admin.describeConfigs({
      resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('3600000');
  });

  it('grows a topic that has fewer partitions than declared', async () => {
    const grownTopic = uniqueName('it.grow');
    await ensureTopics(admin, [{ name: grownTopic, partitions: 1 }]);
    const result = await ensureTopics(admin, [{ name: grownTopic, partitions: 2 }]);
    expect(result.grown).toEqual([grownTopic]);
    const metadata = await admin.fetchTopicMetadata({ topics: [grownTopic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(2);
    await admin.deleteTopics({ topics: [grownTopic] });
  });

  it('round-trips contract records: values, keys, contract headers and key-based partitions', async () => {
    const producer = new KafkaProducer(kafka, { logger: silentLogger });
    await producer.connect();
    const records = Array.from({ length: 30 }, (_, i) => {
      const value: TelemetryRecord = {
        deviceId: `device-${i % 5}`,
        ts: 1_700_000_000_000 + i,
        seq: i,
        metrics: { temperature: 20 + i / 10 },
        ingestedAt: 1_700_000_000_500 + i,
      };
      return {
        topic,
        contract: telemetryContract,
        key: value.deviceId,
        value,
        traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
      };
    });
    const reports = await Promise.all(records.map((record) => producer.send(record)));
    expect(reports.every((report) => report.topic === topic && Number(report.offset) >= 0)).toBe(
      true,
    );
    await producer.close();

    const received: Array<{
      key: string | undefined;
      value: TelemetryRecord;
      headers: Record<string, string>;
      partition: number;
    }> = [];
    const consumer = kafka.consumer({
      groupId: uniqueName('it.roundtrip.group'),
      readUncommitted: false,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const decoded = parseJson(telemetryContract, message.value);
        if (!decoded.ok) throw new Error(JSON.stringify(decoded.issues));
        received.push({
          key: message.key?.toString(),
          value: decoded.value,
          headers: headersToStrings(message.headers),
          partition,
        });
      },
    });
    await waitFor(() => (received.length >= records.length ? true : undefined), {
      what: '30 records',
    });
    await consumer.disconnect();

    expect(received).toHaveLength(records.length);
    const byDevice = new Map<string, Set<number>>();
    for (const record of received) {
      expect(record.key).toBe(record.value.deviceId);
      expect(record.headers[HEADERS.CONTENT_TYPE]).toBe('application/json');
      expect(record.headers[HEADERS.SCHEMA]).toBe('iot.telemetry/1');
      expect(record.headers[HEADERS.TRACEPARENT]).toMatch(/^00-a{32}-b{16}-01$/);
      const partitions = byDevice.get(record.value.deviceId) ?? new Set<number>();
      partitions.add(record.partition);
      byDevice.set(record.value.deviceId, partitions);
    }
    // Same key, same partition: ordering per device is possible only because of this.
    for (const partitions of byDevice.values()) expect(partitions.size).toBe(1);
    expect(received.map((r) => r.value.seq).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      records.map((r) => r.value.seq),
    );
  });

  it('refuses to produce a value that breaks the contract', async () => {
    const producer = new KafkaProducer(kafka, { logger: silentLogger });
    await producer.connect();
    try {
      const bad = {
        deviceId: 'd-1',
        ts: 1,
        metrics: {},
        ingestedAt: 1,
      } as unknown as TelemetryRecord;
      await expect(
        producer.send({ topic, contract: telemetryContract, key: 'd-1', value: bad }),
      ).rejects.toMatchObject({ code: 'CONTRACT_VIOLATION' });
    } finally {
      await producer.close();
    }
  });
});
