import { HEADERS } from '@streamline/contracts';
import { createKafka, silentLogger } from '@streamline/messaging';
import {
  startTestService,
  TEST_ENV,
  uniqueName,
  waitFor,
  type RunningTestService,
} from '@streamline/testing';
import { Partitioners, type Admin, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { dlqHandlerService } from '../../src/dlq-handler.service';
import { dlqTestEnv, type DlqTestEnv } from './dlq-test-env';

export interface ReadRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export interface DeadLetterInput {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: IHeaders;
}

/**
 * What the dlq-handler tests share: a unique environment, a Kafka client, topics under the
 * run's prefix (deleted at cleanup), readers, and HTTP helpers against the service under test.
 */
export class DlqHarness {
  readonly kafka: Kafka;
  private admin: Admin | undefined;
  private readonly topics = new Set<string>();
  private readonly services: RunningTestService[] = [];

  private constructor(readonly names: DlqTestEnv) {
    this.kafka = createKafka({
      brokers: TEST_ENV.kafkaBrokers,
      clientId: uniqueName('it-dlq'),
      logger: silentLogger,
    });
  }

  static async create(overrides: Record<string, string> = {}): Promise<DlqHarness> {
    return new DlqHarness(await dlqTestEnv(overrides));
  }

  /** `<prefix>.<name>.<unique>`: a topic the service under test serves (with .retry/.dlq). */
  name(name: string): string {
    return `${this.names.prefix}.${name}.${uniqueName('t').replace(/-/g, '_')}`;
  }

  async connect(): Promise<Admin> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    return this.admin;
  }

  async createTopics(names: readonly string[], partitions = 1): Promise<void> {
    const admin = await this.connect();
    names.forEach((n) => this.topics.add(n));
    await admin.createTopics({
      waitForLeaders: true,
      topics: names.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    });
  }

  async start(overrides: Record<string, string> = {}): Promise<RunningTestService> {
    const service = await startTestService(dlqHandlerService, { ...this.names.env, ...overrides });
    this.services.push(service);
    return service;
  }

  async produce(topic: string, records: readonly DeadLetterInput[]): Promise<void> {
    const producer = this.kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({ key: r.key ?? null, value: r.value, headers: r.headers })),
      });
    } finally {
      await producer.disconnect();
    }
  }

  /** Reads a topic from the beginning until `count` records arrived, then `settleMs` more. */
  async read(topic: string, count: number, settleMs = 0): Promise<ReadRecord[]> {
    const received: ReadRecord[] = [];
    const consumer = this.kafka.consumer({
      groupId: uniqueName('it-dlq-reader'),
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) =>
          void received.push({ topic, partition, message }),
      });
      await waitFor(() => (received.length >= count ? true : undefined), {
        timeoutMs: 45_000,
        what: `${count} records on ${topic} (have ${received.length})`,
      });
      if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
    } finally {
      await consumer.disconnect();
    }
    return received;
  }

  async cleanup(): Promise<void> {
    for (const service of this.services.splice(0)) await service.close().catch(() => undefined);
    const admin = await this.connect();
    await admin.deleteTopics({ topics: [...this.topics] }).catch(() => undefined);
    await admin.disconnect();
    await this.names.cleanup();
  }
}

/** `dlq.*` headers as the failure path writes them. */
export function dlqHeaders(origin: string, fields: Partial<Record<string, string>> = {}): IHeaders {
  return {
    [HEADERS.DLQ_ORIGIN_TOPIC]: origin,
    [HEADERS.DLQ_ORIGIN_PARTITION]: '0',
    [HEADERS.DLQ_ORIGIN_OFFSET]: '17',
    [HEADERS.DLQ_ORIGIN_TIMESTAMP]: '1700000000000',
    [HEADERS.DLQ_SERVICE]: 'it-service',
    [HEADERS.DLQ_ERROR_CLASS]: 'ContractViolationError',
    [HEADERS.DLQ_ERROR_MESSAGE]: 'ts: required',
    [HEADERS.DLQ_ATTEMPTS]: '1',
    ...(fields as Record<string, string>),
  };
}

/** A parsed JSON response body: the tests read whichever fields the endpoint answers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-only view of arbitrary JSON
export type JsonBody = any;

/** JSON over HTTP against a running service. */
export async function http(
  service: RunningTestService,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: JsonBody }> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? JSON.parse(text) : undefined };
}

/** Waits until the store holds `count` dead letters of a topic; returns them (newest first). */
export async function storedLetters(
  service: RunningTestService,
  topic: string,
  count: number,
): Promise<JsonBody[]> {
  return waitFor(
    async () => {
      const page = await http(
        service,
        'GET',
        `/dead-letters?topic=${encodeURIComponent(topic)}&limit=500`,
      );
      return page.status === 200 && page.body.items.length >= count ? page.body.items : undefined;
    },
    { timeoutMs: 45_000, what: `${count} stored dead letters of ${topic}` },
  );
}
