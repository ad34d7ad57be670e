// npm run bench:sink [-- --rows 200000 --lag-samples 100]
// In one run, on one fresh database: cdc-sink (its production bundle in a child process) applying N
// telemetry windows from Kafka with rows and offsets in one transaction per batch, once per write
// mode (multi-row upsert from arrays; COPY, straight into the table while the rows are new), and
// once more in copy mode over the same rows (a replay: every row exists, so staging + merge);
// Postgres COPY of the same rows into an indexed table (the reference); and the end-to-end lag
// from a change of registry.devices to its analytics.devices row through a real Debezium connector.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createKafka, silentLogger } from '@streamline/messaging';
import {
  createTestDatabase,
  startBuiltService,
  startTestConnector,
  type BuiltService,
  type TestDatabase,
} from '@streamline/testing';
import type { Admin, Kafka } from 'kafkajs';
import { connect as connectNats } from 'nats';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const COPY_REFERENCE_ROWS_PER_S = 200_000;
const PARTITIONS = 6;
const DEVICES = 1_000;

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    'lag-samples': { type: 'string', default: '100' },
    'batch-records': { type: 'string', default: '2000' },
    brokers: { type: 'string', default: process.env['KAFKA_BROKERS'] ?? 'localhost:9092' },
  },
});
const rows = Number(values.rows);
const lagSamples = Number(values['lag-samples']);
const brokers = values.brokers.split(',');
const base = Date.parse('2026-11-01T00:00:00Z');

function windowOf(i: number) {
  const deviceId = `bench-${i % DEVICES}`;
  const windowStart = base + Math.floor(i / DEVICES) * 60_000;
  const t = 20 + (i % 15);
  return {
    windowId: `${deviceId}:${windowStart}:60000`,
    deviceId,
    windowStart,
    windowEnd: windowStart + 60_000,
    count: 12,
    metrics: { temperature: { min: t, max: t + 1, sum: 12 * t + 6, avg: t + 0.5 } },
  };
}

async function prefill(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const chunk = 10_000;
  for (let i = 0; i < rows; i += chunk) {
    const messages = [];
    for (let j = i; j < Math.min(rows, i + chunk); j++) {
      const w = windowOf(j);
      messages.push({ key: w.deviceId, value: JSON.stringify(w) });
    }
    await producer.send({ topic, messages, acks: 1 });
  }
  await producer.disconnect();
}

async function storedTotal(db: Client, group: string): Promise<number> {
  const result = await db.query<{ sum: string | null }>(
    'SELECT sum(next_offset)::text AS sum FROM analytics.kafka_offsets WHERE consumer_group = $1',
    [group],
  );
  return Number(result.rows[0]?.sum ?? 0);
}

/** The sink in a child process; rows/s from its first committed transaction to its last. */
async function sinkRate(
  db: Client,
  database: TestDatabase,
  topic: string,
  mode: string,
  id: string,
  phase: 'fresh' | 'replay' = 'fresh',
): Promise<number> {
  // A fresh phase starts from an empty table (the first run's child creates it by migration); a
  // replay finds every row there already (every write meets existing keys).
  if (phase === 'fresh') {
    await db.query(
      "DO $$ BEGIN IF to_regclass('analytics.telemetry_1m') IS NOT NULL THEN TRUNCATE analytics.telemetry_1m; END IF; END $$",
    );
  }
  const group = `${id}.${mode}.${phase}`;
  const sink = await startSink({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: brokers.join(','),
    CDC_SINK_GROUP_ID: group,
    CDC_SINK_TELEMETRY_1M_TOPIC: topic,
    CDC_SINK_DEVICES_TOPIC: `${id}.devices`,
    CDC_SINK_USER_SESSIONS_TOPIC: `${id}.sessions`,
    CDC_SINK_ALERTS_STREAM: streamName(id, `${mode}_${phase}`),
    CDC_SINK_ALERTS_SUBJECTS: `${id}.${mode}.${phase}.alerts.>`,
    CDC_SINK_ALERTS_CONSUMER: `${streamName(id, `${mode}_${phase}`)}_C`,
    CDC_SINK_WRITE_MODE: mode,
    CDC_SINK_BATCH_RECORDS: values['batch-records'],
  });
  try {
    let start: { at: number; offset: number } | undefined;
    for (;;) {
      const total = await storedTotal(db, group).catch(() => 0);
      const now = performance.now();
      if (start === undefined && total > 0) start = { at: now, offset: total };
      if (start !== undefined && total >= rows) {
        const count = await db.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM analytics.telemetry_1m',
        );
        if (Number(count.rows[0]?.n) !== rows)
          throw new Error(`${mode}: ${count.rows[0]?.n} rows, expected ${rows}`);
        return ((total - start.offset) / (now - start.at)) * 1000;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await sink.stop();
  }
}

/** Postgres COPY of the same rows into a table with the same columns and unique index. */
async function copyRate(db: Client): Promise<number> {
  await db.query('CREATE TABLE public.copy_reference (LIKE analytics.telemetry_1m INCLUDING ALL)');
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const w = windowOf(i);
    lines.push(
      [
        w.deviceId,
        new Date(w.windowStart).toISOString(),
        new Date(w.windowEnd).toISOString(),
        w.count,
        `"${JSON.stringify(w.metrics).replace(/"/g, '""')}"`,
        w.windowId,
        '',
      ].join(','),
    );
  }
  const started = performance.now();
  const stream = db.query(
    copyFrom(
      'COPY public.copy_reference (device_id, window_start, window_end, count, metrics, window_id, extra) FROM STDIN (FORMAT csv)',
    ),
  );
  await new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
    stream.end(lines.join('\n') + '\n');
  });
  return (rows / (performance.now() - started)) * 1000;
}

/** Registry change → analytics.devices row, through the connector; LISTEN/NOTIFY marks arrival. */
async function lag(database: TestDatabase, id: string, bestMode: string): Promise<number[]> {
  const db = new Client({ connectionString: database.url });
  await db.connect();
  await db.query(`
    CREATE SCHEMA registry;
    CREATE TABLE registry.devices (id text PRIMARY KEY, name text NOT NULL, type text NOT NULL,
      location text, thresholds jsonb, created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now());
    ALTER TABLE registry.devices REPLICA IDENTITY FULL;
    INSERT INTO registry.devices (id, name, type) VALUES ('lag-probe', 'lag-0', 'meter');
    CREATE FUNCTION public.bench_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('sink_bench', NEW.name); RETURN NEW; END $$;
    CREATE TRIGGER bench_notify AFTER INSERT OR UPDATE ON analytics.devices
      FOR EACH ROW EXECUTE FUNCTION public.bench_notify();`);
  const connector = await startTestConnector({
    database: database.name,
    schema: 'registry',
    table: 'devices',
  });
  let sink: BuiltService | undefined;
  const arrivals = new Map<string, () => void>();
  db.on('notification', (n) => arrivals.get(n.payload ?? '')?.());
  await db.query('LISTEN sink_bench');
  try {
    const arrived = (name: string) => new Promise<void>((resolve) => arrivals.set(name, resolve));
    const first = arrived('lag-0');
    sink = await startSink({
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      CDC_SINK_GROUP_ID: `${id}.lag`,
      CDC_SINK_DEVICES_TOPIC: connector.topic,
      CDC_SINK_TELEMETRY_1M_TOPIC: `${id}.windows`,
      CDC_SINK_USER_SESSIONS_TOPIC: `${id}.sessions`,
      CDC_SINK_ALERTS_STREAM: streamName(id, 'lag'),
      CDC_SINK_ALERTS_SUBJECTS: `${id}.lag-alerts.>`,
      CDC_SINK_ALERTS_CONSUMER: `${streamName(id, 'lag')}_C`,
      CDC_SINK_WRITE_MODE: bestMode,
    });
    await first; // the snapshot made it: the pipeline is warm
    const samples: number[] = [];
    for (let i = 1; i <= lagSamples; i++) {
      const landed = arrived(`lag-${i}`);
      const started = performance.now();
      await db.query("UPDATE registry.devices SET name = $1 WHERE id = 'lag-probe'", [`lag-${i}`]);
      await landed;
      samples.push(performance.now() - started);
    }
    return samples;
  } finally {
    await sink?.stop();
    await connector.stop();
    await db.end();
  }
}

/** cdc-sink as production runs it (`dist/apps/cdc-sink/main.js`); its last log lines if it fails. */
async function startSink(env: Record<string, string>): Promise<BuiltService> {
  const sink = await startBuiltService('cdc-sink', {
    NATS_URL: process.env['NATS_URL'] ?? 'nats://localhost:4222',
    LOG_LEVEL: 'warn',
    ...env,
  });
  try {
    await sink.waitReady();
  } catch (error: unknown) {
    await sink.stop();
    process.stderr.write(`${sink.lines.slice(-20).join('\n')}\n`);
    throw error;
  }
  return sink;
}

/** Each sink child provisions an alerts stream of its own (unused here): deleted at the end. */
function streamName(id: string, phase: string): string {
  return `BENCH_${phase}_${id.replace(/[^A-Za-z0-9]/g, '_')}`.toUpperCase();
}

async function deleteStreams(id: string): Promise<void> {
  const nc = await connectNats({ servers: process.env['NATS_URL'] ?? 'nats://localhost:4222' });
  const jsm = await nc.jetstreamManager();
  for (const phase of ['unnest_fresh', 'copy_fresh', 'copy_replay', 'lag']) {
    await jsm.streams.delete(streamName(id, phase)).catch(() => false);
  }
  await nc.close();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const kafka = createKafka({ brokers, clientId: 'sink-bench', logger: silentLogger });
  const admin: Admin = kafka.admin();
  await admin.connect();
  const id = `bench.sink-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const topic = `${id}.windows`;
  const topics = [
    topic,
    `${topic}.dlq`,
    `${id}.devices`,
    `${id}.devices.dlq`,
    `${id}.sessions`,
    `${id}.sessions.dlq`,
  ];
  const database = await createTestDatabase('sink_bench');
  const db = new Client({ connectionString: database.url });
  await db.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({
        topic: t,
        numPartitions: t === topic ? PARTITIONS : 1,
        replicationFactor: 1,
      })),
    });
    process.stdout.write(
      `loading ${rows} telemetry windows into ${topic} (${PARTITIONS} partitions)...\n`,
    );
    await prefill(kafka, topic);
    const rates: Record<string, number> = {};
    for (const mode of ['unnest', 'copy'])
      rates[mode] = await sinkRate(db, database, topic, mode, id);
    const replay = await sinkRate(db, database, topic, 'copy', id, 'replay');
    const copy = await copyRate(db);
    const best = (rates['unnest'] ?? 0) >= (rates['copy'] ?? 0) ? 'unnest' : 'copy';
    const samples = (await lag(database, id, best)).sort((a, b) => a - b);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const ratio = (rates[best] ?? 0) / copy;
    process.stdout.write(
      [
        '',
        `cdc-sink, multi-row upsert (unnest)    + offsets in the transaction: ${fmt(rates['unnest'] ?? 0)} rows/s`,
        `cdc-sink, COPY (new rows straight in)  + offsets in the transaction: ${fmt(rates['copy'] ?? 0)} rows/s`,
        `cdc-sink, COPY replay (every row exists: staging + merge): ${fmt(replay)} rows/s`,
        `Postgres COPY of the same rows into an indexed table:                ${fmt(copy)} rows/s (reference ~${fmt(COPY_REFERENCE_ROWS_PER_S)} on these machines)`,
        `best (${best}) / COPY: ${ratio.toFixed(2)} (target >= 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
        `end-to-end lag registry.devices change -> analytics.devices row (real Debezium, ${samples.length} changes): p50 ${percentile(samples, 50).toFixed(0)} ms, p99 ${percentile(samples, 99).toFixed(0)} ms`,
        `${rows} rows, ${PARTITIONS} partitions, at most ${values['batch-records']} rows per transaction`,
        '',
      ].join('\n'),
    );
  } finally {
    await db.end();
    await database.drop();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    const groups = [`${id}.unnest.fresh`, `${id}.copy.fresh`, `${id}.copy.replay`, `${id}.lag`];
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
    await deleteStreams(id).catch(() => undefined);
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
