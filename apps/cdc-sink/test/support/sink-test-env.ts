import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import {
  createTestDatabase,
  TEST_ENV,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@streamline/testing';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { Pool } from 'pg';

/** A record to produce: value as JSON (or raw text/null), key text. */
export interface TestRecord {
  key: string;
  value: unknown;
  raw?: boolean;
}

/**
 * Everything one cdc-sink test needs, named uniquely: a database, the three input topics (with
 * their `.dlq`), a consumer group, and an alerts stream/consumer of its own. `env` points the
 * sink at these names; `cleanup()` removes them all.
 */
export class SinkTestEnv {
  readonly id = uniqueName('it-sink');
  readonly group = `${this.id}.group`;
  readonly topics = {
    devices: `${this.id}.cdc.registry.devices`,
    windows: `${this.id}.agg.telemetry.1m.v1`,
    sessions: `${this.id}.agg.user-sessions.v1`,
  };
  readonly stream = `IT_SINK_${this.id.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
  readonly alertSubjectPrefix = `${this.id}.alerts.`;
  readonly kafka = new Kafka({
    clientId: this.id,
    brokers: TEST_ENV.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  database!: TestDatabase;
  pool!: Pool;
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private nats: NatsConnection | undefined;
  private readonly extraTopics: string[] = [];
  /** Idle connections the server closed (outage tests). */
  readonly poolErrors: string[] = [];

  /** Creates the database and the topics (`devicesTopic`: use a connector's topic instead). */
  async setUp(options: { database?: TestDatabase; devicesTopic?: string } = {}): Promise<this> {
    this.database = options.database ?? (await createTestDatabase('cdc_sink_it'));
    this.pool = new Pool({ connectionString: this.database.url, max: 3 });
    // An outage test stops the server under idle connections; the next query reconnects.
    this.pool.on('error', (error) => this.poolErrors.push(error.message));
    if (options.devicesTopic) this.topics.devices = options.devicesTopic;
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const own = [this.topics.windows, this.topics.sessions];
    if (!options.devicesTopic) own.push(this.topics.devices);
    await this.createTopics([
      ...own.map((topic) => ({ topic, partitions: topic === this.topics.devices ? 1 : 3 })),
      ...Object.values(this.topics).map((t) => ({ topic: `${t}.dlq`, partitions: 1 })),
    ]);
    return this;
  }

  async createTopics(specs: Array<{ topic: string; partitions: number }>): Promise<void> {
    this.extraTopics.push(...specs.map((s) => s.topic));
    await this.admin!.createTopics({
      waitForLeaders: true,
      topics: specs.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: 1,
      })),
    });
  }

  /** The sink's environment: these names, and `DATABASE_URL` (or another one given). */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.database.url,
      CDC_SINK_GROUP_ID: this.group,
      CDC_SINK_DEVICES_TOPIC: this.topics.devices,
      CDC_SINK_TELEMETRY_1M_TOPIC: this.topics.windows,
      CDC_SINK_USER_SESSIONS_TOPIC: this.topics.sessions,
      CDC_SINK_ALERTS_STREAM: this.stream,
      CDC_SINK_ALERTS_SUBJECTS: `${this.alertSubjectPrefix}>`,
      CDC_SINK_ALERTS_CONSUMER: `${this.id}-consumer`,
      CDC_SINK_BATCH_DELAY_MS: '50',
      ...overrides,
    };
  }

  async produce(topic: string, records: readonly TestRecord[]): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({
        idempotent: true,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await this.producer.connect();
    }
    await this.producer.send({
      topic,
      acks: -1,
      messages: records.map((r) => ({
        key: r.key,
        value: r.raw ? (r.value as string | null) : JSON.stringify(r.value),
      })),
    });
  }

  /** Publishes an alert with `Nats-Msg-Id` = its id (`msgId` overrides it). */
  async publishAlert(
    alert: { alertId: string; deviceId: string },
    msgId = alert.alertId,
  ): Promise<void> {
    this.nats ??= await connect({ servers: TEST_ENV.natsUrl });
    const h = natsHeaders();
    h.set('Nats-Msg-Id', msgId);
    await this.nats
      .jetstream()
      .publish(`${this.alertSubjectPrefix}${alert.deviceId}`, JSON.stringify(alert), {
        headers: h,
      });
  }

  /** Whether the sink's alert consumer acknowledged every delivery up to stream sequence `seq`. */
  async alertsAckedThrough(seq: number): Promise<boolean> {
    this.nats ??= await connect({ servers: TEST_ENV.natsUrl });
    const jsm = await this.nats.jetstreamManager();
    const info = await jsm.consumers.info(this.stream, `${this.id}-consumer`);
    return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0;
  }

  async query<T extends object>(sql: string, values: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, values)).rows;
  }

  /** The summed `next_offset` of a topic in `analytics.kafka_offsets` (0 before the first commit). */
  async storedOffsets(topic: string): Promise<number> {
    const rows = await this.query<{ sum: string | null }>(
      'SELECT sum(next_offset)::text AS sum FROM analytics.kafka_offsets WHERE consumer_group = $1 AND topic = $2',
      [this.group, topic],
    ).catch(() => [{ sum: null }]);
    return Number(rows[0]?.sum ?? 0);
  }

  /** Waits until the sink stored `offset` (summed over partitions) for a topic. */
  async waitForStored(topic: string, offset: number, timeoutMs = 60_000): Promise<void> {
    await waitFor(async () => ((await this.storedOffsets(topic)) >= offset ? true : undefined), {
      timeoutMs,
      what: `${topic} stored at ${offset} in analytics.kafka_offsets`,
    });
  }

  async cleanup(): Promise<void> {
    await this.producer?.disconnect();
    // The sink creates its alert stream on start, whether or not the test published to it.
    this.nats ??= await connect({ servers: TEST_ENV.natsUrl });
    const jsm = await this.nats.jetstreamManager();
    await jsm.streams.delete(this.stream).catch(() => false);
    await this.nats.close();
    if (this.admin) {
      await this.admin.deleteTopics({ topics: this.extraTopics }).catch(() => undefined);
      await this.admin.deleteGroups([this.group]).catch(() => undefined);
      await this.admin.disconnect();
    }
    await this.pool?.end();
    await this.database?.drop();
  }
}

const CHANGE_EPOCH_MS = Date.parse('2026-11-30T01:00:00Z');

/** A Debezium change event of `registry.devices`, bare (`wrapped`: inside Connect's `{schema, payload}`). */
export function deviceEvent(
  op: 'c' | 'u' | 'd' | 'r',
  id: string,
  lsn: number,
  fields: Record<string, unknown> = {},
  wrapped = false,
): unknown {
  const row = {
    id,
    name: `device ${id}`,
    type: 'thermometer',
    location: null,
    thresholds: '{"temperature":{"max":30}}',
    created_at: new Date(CHANGE_EPOCH_MS).toISOString(),
    updated_at: new Date(CHANGE_EPOCH_MS + lsn).toISOString(),
    ...fields,
  };
  const envelope = {
    before: op === 'c' || op === 'r' ? null : row,
    after: op === 'd' ? null : row,
    op,
    source: {
      connector: 'postgresql',
      db: 'streamline',
      schema: 'registry',
      table: 'devices',
      lsn,
    },
    ts_ms: CHANGE_EPOCH_MS + lsn,
  };
  return wrapped
    ? { schema: { type: 'struct', name: 'cdc.registry.devices.Envelope' }, payload: envelope }
    : envelope;
}
