import {
  CompressionTypes,
  type Kafka,
  type Message,
  type ProducerBatch,
  type ProducerConfig,
  type RecordMetadata,
} from 'kafkajs';
import { register } from 'prom-client';
import { ContractViolationError, HEADERS, telemetryContract } from '@streamline/contracts';
import type { MessagingLogger } from '../../logging/messaging-logger';
import { KafkaProducer, type DeliveryReport } from './kafka-producer';

const PARTITIONS = 3;

/** A stand-in for kafkajs: partitions with the producer's own partitioner and numbers offsets per partition. */
class FakeKafka {
  readonly configs: ProducerConfig[] = [];
  readonly batches: ProducerBatch[] = [];
  readonly disconnected: number[] = [];
  /** What the next sendBatch calls do; default: succeed. */
  behaviour: Array<'ok' | 'hang' | Error> = [];
  private readonly offsets = new Map<string, number>();

  producer(config: ProducerConfig) {
    const index = this.configs.push(config) - 1;
    const partition = config.createPartitioner?.();
    const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    return {
      connect: async () => undefined,
      disconnect: async () => {
        this.disconnected.push(index);
      },
      sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
        this.batches.push(batch);
        const behaviour = this.behaviour.shift() ?? 'ok';
        if (behaviour === 'hang') return new Promise<never>(() => undefined);
        if (behaviour instanceof Error) throw behaviour;
        const response: RecordMetadata[] = [];
        for (const { topic, messages } of batch.topicMessages ?? []) {
          const byPartition = new Map<number, Message[]>();
          for (const message of messages) {
            const p = partition ? partition({ topic, partitionMetadata, message }) : 0;
            byPartition.set(p, [...(byPartition.get(p) ?? []), message]);
          }
          for (const [p, list] of byPartition) {
            const key = `${topic}/${p}`;
            const base = this.offsets.get(key) ?? 0;
            this.offsets.set(key, base + list.length);
            response.push({
              topicName: topic,
              partition: p,
              errorCode: 0,
              baseOffset: String(base),
              logAppendTime: '-1',
            });
          }
        }
        return response;
      },
    };
  }

  asKafka(): Kafka {
    return this as unknown as Kafka;
  }
}

const logged: Array<{ level: string; obj: object; msg?: string }> = [];
const logger: MessagingLogger = {
  error: (obj, msg) => logged.push({ level: 'error', obj, msg }),
  warn: (obj, msg) => logged.push({ level: 'warn', obj, msg }),
  info: () => undefined,
  debug: () => undefined,
};

let topicSeq = 0;
const freshTopic = () => `unit.producer.${++topicSeq}.${Date.now()}`;

async function recordsTotal(topic: string, result: string): Promise<number> {
  const metric = register.getSingleMetric('kafka_producer_records_total');
  const values = (await metric?.get())?.values ?? [];
  return (
    values.find((v) => v.labels['topic'] === topic && v.labels['result'] === result)?.value ?? 0
  );
}

const telemetry = (deviceId: string, seq: number) => ({
  deviceId,
  ts: 1_700_000_000_000 + seq,
  seq,
  metrics: { temperature: 21.5 },
  ingestedAt: 1_700_000_000_100 + seq,
});

describe('KafkaProducer', () => {
  beforeEach(() => (logged.length = 0));

  it('creates an idempotent producer with one request in flight and the Java-compatible partitioner', async () => {
    const fake = new FakeKafka();
    const producer = new KafkaProducer(fake.asKafka());
    await producer.connect();
    expect(fake.configs[0]).toMatchObject({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    expect(fake.configs[0]?.createPartitioner).toBeInstanceOf(Function);
    await producer.close();
  });

  it('batches concurrent sends into one request with acks=all and gzip, and answers each record its own offset', async () => {
    const fake = new FakeKafka();
    const keys = ['device-0', 'device-1', 'device-42', 'device-0', 'device-0', 'device-1'];
    // A full batch goes at once: no timing involved.
    const producer = new KafkaProducer(fake.asKafka(), {
      logger,
      lingerMs: 60_000,
      batchMaxRecords: keys.length,
    });
    const topic = freshTopic();
    const reports = await Promise.all(
      keys.map((key, i) =>
        producer.send({ topic, contract: telemetryContract, key, value: telemetry(key, i) }),
      ),
    );
    expect(fake.batches).toHaveLength(1);
    expect(fake.batches[0]).toMatchObject({ acks: -1, compression: CompressionTypes.GZIP });
    // device-0 and device-1 share partition 1 of 3 (Java vectors), device-42 is on 0.
    expect(reports.map((r: DeliveryReport) => [r.partition, r.offset])).toEqual([
      [1, '0'],
      [1, '1'],
      [0, '0'],
      [1, '2'],
      [1, '3'],
      [1, '4'],
    ]);
    expect(reports.every((r) => r.topic === topic && /^\d+$/.test(r.timestamp))).toBe(true);
    expect(await recordsTotal(topic, 'success')).toBe(6);
    await producer.close();
  });

  it('sends validated JSON with the contract headers, keeping extra headers', async () => {
    const fake = new FakeKafka();
    const producer = new KafkaProducer(fake.asKafka(), {
      logger,
      lingerMs: 0,
    });
    const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    await producer.send({
      topic: freshTopic(),
      contract: telemetryContract,
      key: 'device-7',
      value: telemetry('device-7', 1),
      traceparent,
      headers: { 'x-extra': 'yes', [HEADERS.SCHEMA]: 'forged/9' },
      timestamp: 1_700_000_000_000,
    });
    const message = fake.batches[0]?.topicMessages?.[0]?.messages[0];
    expect(JSON.parse(String(message?.value))).toEqual(telemetry('device-7', 1));
    expect(message?.headers).toEqual({
      'x-extra': 'yes',
      [HEADERS.CONTENT_TYPE]: 'application/json',
      [HEADERS.SCHEMA]: 'iot.telemetry/1',
      [HEADERS.TRACEPARENT]: traceparent,
    });
    expect(message?.timestamp).toBe('1700000000000');
    await producer.close();
  });

  it('refuses a value that breaks its contract before anything reaches Kafka', async () => {
    const fake = new FakeKafka();
    const producer = new KafkaProducer(fake.asKafka(), {
      logger,
      lingerMs: 0,
    });
    const topic = freshTopic();
    const bad = { deviceId: 'd-1', ts: 1, metrics: {}, ingestedAt: 1 } as unknown as ReturnType<
      typeof telemetry
    >;
    await expect(
      producer.send({ topic, contract: telemetryContract, key: 'd-1', value: bad }),
    ).rejects.toBeInstanceOf(ContractViolationError);
    expect(fake.batches).toHaveLength(0);
    expect(await recordsTotal(topic, 'invalid')).toBe(1);
    await producer.close();
  });

  it('sends raw records byte for byte', async () => {
    const fake = new FakeKafka();
    const producer = new KafkaProducer(fake.asKafka(), {
      logger,
      lingerMs: 0,
    });
    const value = Buffer.from([0xff, 0x00, 0x7b]);
    await producer.send({ topic: freshTopic(), key: null, value, headers: { 'dlq.service': 'x' } });
    const message = fake.batches[0]?.topicMessages?.[0]?.messages[0];
    expect(message?.value).toBe(value);
    expect(message?.headers).toEqual({ 'dlq.service': 'x' });
    await producer.close();
  });

  it('sendWithCallback calls back once per record, and a throwing callback harms no other record', async () => {
    const fake = new FakeKafka();
    const producer = new KafkaProducer(fake.asKafka(), {
      logger,
      lingerMs: 5,
    });
    const topic = freshTopic();
    const outcomes: Array<[Error | undefined, string | undefined]> = [];
    producer.sendWithCallback({ topic, key: 'a', value: '1' }, () => {
      throw new Error('careless callback');
    });
    producer.sendWithCallback({ topic, key: 'a', value: '2' }, (error, report) =>
      outcomes.push([error, report?.offset]),
    );
    await producer.flush();
    expect(outcomes).toEqual([[undefined, '1']]);
    expect(logged.some((l) => l.msg === 'Kafka delivery callback threw')).toBe(true);
    await producer.close();
  });

  it('sendAndForget never throws: a failure is counted and logged', async () => {
    const fake = new FakeKafka();
    fake.behaviour = [
      Object.assign(new Error('MESSAGE_TOO_LARGE'), {
        name: 'KafkaJSProtocolError',
        retriable: false,
      }),
    ];
    const producer = new KafkaProducer(fake.asKafka(), {
      logger,
      lingerMs: 0,
    });
    const topic = freshTopic();
    expect(() => producer.sendAndForget({ topic, key: 'k', value: 'v' })).not.toThrow();
    expect(() =>
      producer.sendAndForget({
        topic,
        contract: telemetryContract,
        key: 'k',
        value: {} as ReturnType<typeof telemetry>,
      }),
    ).not.toThrow();
    await producer.flush();
    expect(await recordsTotal(topic, 'error')).toBe(1);
    expect(await recordsTotal(topic, 'invalid')).toBe(1);
    expect(logged.filter((l) => l.level === 'error')).toHaveLength(2);
    await producer.close();
  });

  it('maps a send failure to a ProcessingError and replaces the producer id before the next batch', async () => {
    const fake = new FakeKafka();
    fake.behaviour = [
      Object.assign(new Error('gave up'), {
        name: 'KafkaJSNumberOfRetriesExceeded',
        retriable: false,
      }),
    ];
    const producer = new KafkaProducer(fake.asKafka(), {
      logger,
      lingerMs: 0,
    });
    const topic = freshTopic();
    await expect(producer.send({ topic, key: 'k', value: 'v' })).rejects.toMatchObject({
      code: 'KAFKA_SEND_FAILED',
      retryable: true,
    });
    await producer.send({ topic, key: 'k', value: 'v' });
    expect(fake.configs).toHaveLength(2);
    expect(fake.disconnected).toEqual([0]);
    await producer.close();
  });

  describe('with fake timers', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('rejects a send that Kafka does not acknowledge within deliveryTimeoutMs with a retryable error', async () => {
      const fake = new FakeKafka();
      fake.behaviour = ['hang'];
      const producer = new KafkaProducer(fake.asKafka(), {
        logger,
        lingerMs: 0,
        deliveryTimeoutMs: 2_000,
      });
      const topic = freshTopic();
      const first = producer.send({ topic, key: 'k', value: '1' });
      const outcome = first.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      // Queued behind the hung batch: it must expire too, not wait for ever.
      const second = producer
        .send({ topic, key: 'k', value: '2' })
        .catch((error: unknown) => error);
      await jest.advanceTimersByTimeAsync(1_999);
      expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending');
      await jest.advanceTimersByTimeAsync(1);
      expect(await outcome).toMatchObject({ code: 'KAFKA_DELIVERY_TIMEOUT', retryable: true });
      expect(await second).toMatchObject({ code: 'KAFKA_DELIVERY_TIMEOUT' });
      expect(await recordsTotal(topic, 'timeout')).toBe(2);
    });

    it('close flushes lingering records before it disconnects, and later sends are refused', async () => {
      const fake = new FakeKafka();
      const producer = new KafkaProducer(fake.asKafka(), {
        logger,
        lingerMs: 60_000,
      });
      const sent = producer.send({ topic: freshTopic(), key: 'k', value: 'v' });
      await jest.advanceTimersByTimeAsync(10);
      expect(fake.batches).toHaveLength(0);
      await producer.close();
      await expect(sent).resolves.toMatchObject({ offset: '0' });
      expect(fake.disconnected).toEqual([0]);
      await expect(producer.send({ topic: 'x', key: null, value: 'v' })).rejects.toMatchObject({
        code: 'KAFKA_PRODUCER_CLOSED',
      });
    });
  });

  it('fails fast with a retryable error when bufferMaxBytes are already waiting', async () => {
    const fake = new FakeKafka();
    fake.behaviour = ['hang'];
    const producer = new KafkaProducer(fake.asKafka(), {
      logger,
      lingerMs: 0,
      bufferMaxBytes: 10,
      deliveryTimeoutMs: 200,
    });
    const topic = freshTopic();
    const inFlight = producer.send({ topic, key: null, value: 'in flight' }).catch(() => undefined);
    const waiting = producer.send({ topic, key: null, value: '12345678' }).catch(() => undefined);
    await expect(producer.send({ topic, key: null, value: 'too much' })).rejects.toMatchObject({
      code: 'KAFKA_PRODUCER_BUFFER_FULL',
      retryable: true,
    });
    await Promise.all([inFlight, waiting]);
    await producer.close();
  });
});
