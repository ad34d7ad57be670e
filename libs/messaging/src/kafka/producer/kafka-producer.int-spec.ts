import { HEADERS, telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import { PrivateKafka, TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { silentLogger } from '../../logging/messaging-logger';
import { createKafka } from '../kafka-client';
import { headersToStrings } from '../record-headers';
import { ensureTopics } from '../topic-admin';
import { KafkaProducer, type DeliveryReport } from './kafka-producer';
import { partitionForKey } from './stable-partitioner';
import { produceWithJavaClient } from './test-support/java-console-producer';

interface Consumed {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

describe('KafkaProducer against the real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  const created: string[] = [];

  async function topicWith(partitions: number): Promise<string> {
    const topic = uniqueName('it.producer');
    await ensureTopics(admin, [{ name: topic, partitions }]);
    created.push(topic);
    return topic;
  }

  async function readAll(topic: string, count: number): Promise<Consumed[]> {
    const received: Consumed[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('it.producer.reader') });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({
          partition,
          message,
        }: {
          partition: number;
          message: KafkaMessage;
        }) => {
          received.push({
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? '',
            headers: headersToStrings(message.headers),
          });
        },
      });
      await waitFor(() => (received.length >= count ? true : undefined), {
        what: `${count} records`,
      });
    } finally {
      await consumer.disconnect();
    }
    return received;
  }

  beforeAll(async () => {
    kafka = createKafka({
      brokers: TEST_ENV.kafkaBrokers,
      clientId: 'producer-it',
      logger: silentLogger,
      // Few retries: the timeout test leaves kafkajs retrying a missing topic in the background.
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  it('delivers in all three modes, and each report names the partition and offset the record really has', async () => {
    const topic = await topicWith(3);
    const producer = new KafkaProducer(kafka, { lingerMs: 5 });
    const value = (i: number): TelemetryRecord => ({
      deviceId: `device-${i % 4}`,
      ts: 1_700_000_000_000 + i,
      seq: i,
      metrics: { temperature: 20 + i },
      ingestedAt: 1_700_000_000_500 + i,
    });
    const record = (i: number) => ({
      topic,
      contract: telemetryContract,
      key: value(i).deviceId,
      value: value(i),
      traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`,
    });
    const awaited = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => producer.send(record(i))),
    );
    const called = await Promise.all(
      [10, 11, 12, 13, 14].map(
        (i) =>
          new Promise<DeliveryReport>((resolve, reject) =>
            producer.sendWithCallback(record(i), (error, report) =>
              error || !report ? reject(error) : resolve(report),
            ),
          ),
      ),
    );
    for (const i of [15, 16, 17, 18, 19]) producer.sendAndForget(record(i));
    await producer.close();

    const received = await readAll(topic, 20);
    expect(received).toHaveLength(20);
    const at = new Map(received.map((r) => [`${r.partition}/${r.offset}`, r]));
    [...awaited, ...called].forEach((report, i) => {
      const stored = at.get(`${report.partition}/${report.offset}`);
      expect(stored && (JSON.parse(stored.value) as TelemetryRecord).seq).toBe(i);
      expect(report.partition).toBe(partitionForKey(value(i).deviceId, 3));
    });
    for (const r of received) {
      expect(r.headers[HEADERS.CONTENT_TYPE]).toBe('application/json');
      expect(r.headers[HEADERS.SCHEMA]).toBe('iot.telemetry/1');
      expect(r.headers[HEADERS.TRACEPARENT]).toBe(`00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`);
    }
    // Per key, records keep their send order within the partition.
    for (const device of ['device-0', 'device-1', 'device-2', 'device-3']) {
      const seqs = received
        .filter((r) => r.key === device)
        .sort((a, b) => Number(a.offset) - Number(b.offset))
        .map((r) => (JSON.parse(r.value) as TelemetryRecord).seq);
      expect(seqs).toEqual([...(seqs as number[])].sort((a, b) => a - b));
    }
  });

  it('puts every key on the partition the Java producer puts it on', async () => {
    const topic = await topicWith(6);
    const keys = Array.from({ length: 40 }, (_, i) => (i % 2 ? `device-${i}` : `user-${i * 7919}`));
    await produceWithJavaClient(
      TEST_ENV.kafkaBrokers.join(','),
      topic,
      keys.map((key) => ({ key, value: `java:${key}` })),
    );
    const producer = new KafkaProducer(kafka);
    await Promise.all(keys.map((key) => producer.send({ topic, key, value: `node:${key}` })));
    await producer.close();

    const received = await readAll(topic, keys.length * 2);
    const partitionOf = (origin: string, key: string) =>
      received.find((r) => r.key === key && r.value.startsWith(`${origin}:`))?.partition;
    const used = new Set<number>();
    for (const key of keys) {
      const java = partitionOf('java', key);
      expect(java).toBeDefined();
      expect(partitionOf('node', key)).toBe(java);
      used.add(java as number);
    }
    // Keys spread over the partitions, so agreement is not one partition taking everything.
    expect(used.size).toBeGreaterThan(3);
  });

  it('never hangs: when the broker does not answer, a send fails after deliveryTimeoutMs with a retryable error', async () => {
    // A listener that accepts connections and never says a word: the worst kind of broken broker.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const mute = createKafka({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'producer-it-mute',
      logger: silentLogger,
      requestTimeoutMs: 2_000,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
    });
    const producer = new KafkaProducer(mute, { deliveryTimeoutMs: 1_500 });
    try {
      await expect(
        producer.send({ topic: 'anything', key: 'k', value: 'v' }),
      ).rejects.toMatchObject({
        code: 'KAFKA_DELIVERY_TIMEOUT',
        retryable: true,
      });
      await producer.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports a broker stopped for longer than kafkajs retries as retryable, not as a refusal (long delivery timeout)', async () => {
    // A broker of the test's own, stopped after the producer connected: kafkajs then rejects the
    // send with KafkaJSNonRetriableError (retriable: false) wrapping the refused connection. The
    // delivery timeout is far away, so the answer is kafkajs giving up, not our timer.
    const broker = await PrivateKafka.create();
    try {
      await broker.start();
      const client = createKafka({
        brokers: broker.brokers,
        clientId: 'producer-it-outage',
        logger: silentLogger,
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 300 },
      });
      const privateAdmin = client.admin();
      await privateAdmin.connect();
      await ensureTopics(privateAdmin, [{ name: 'outage', partitions: 1 }]);
      await privateAdmin.disconnect();
      const producer = new KafkaProducer(client, { deliveryTimeoutMs: 300_000 });
      await expect(
        producer.send({ topic: 'outage', key: 'k', value: 'before' }),
      ).resolves.toMatchObject({ offset: '0' });
      await broker.stop();
      const failure = await producer.send({ topic: 'outage', key: 'k', value: 'during' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ code: 'KAFKA_SEND_FAILED', retryable: true });
      expect(String((failure as Error).message)).toMatch(/ECONNREFUSED/);
      // kafkajs itself called it non-retriable at the top: the cause chain decided.
      expect((failure as Error).cause).toMatchObject({ retriable: false });
      await producer.close();
    } finally {
      await broker.destroy();
    }
  });

  it('close sends what is still lingering before it disconnects', async () => {
    const topic = await topicWith(1);
    const producer = new KafkaProducer(kafka, { lingerMs: 60_000 });
    for (let i = 0; i < 7; i += 1) producer.sendAndForget({ topic, key: null, value: `v${i}` });
    await producer.close();
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets[0]?.high).toBe('7');
  });
});
