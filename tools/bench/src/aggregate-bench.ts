// npm run bench:aggregate [-- --records 1000000 --devices 1000]
// Loads N telemetry readings into a fresh 6-partition topic, then measures, in the same run:
// raw kafkajs consuming the topic (no-op eachBatch) and the aggregator (exactly-once on: windows,
// changelog and offsets in one transaction per partition batch) consuming the same topic.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKafka, ensureTopics, silentLogger } from '@streamline/messaging';
import type { Admin, Kafka } from 'kafkajs';

/**
 * Kafka Streams on the same kind of 2-core machine, the same input and windows, exactly_once_v2:
 * the project's reference figure (measured by the maintainers for issue 8; not re-run here).
 */
const KAFKA_STREAMS_REFERENCE_EPS = 109_000;
const TARGET_EPS = 50_000;
const ROOT = resolve(__dirname, '../../..');
const PARTITIONS = 6;

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    devices: { type: 'string', default: '1000' },
    brokers: { type: 'string', default: process.env['KAFKA_BROKERS'] ?? 'localhost:9092' },
    'commit-interval-ms': { type: 'string', default: '100' },
    'max-records-per-transaction': { type: 'string', default: '5000' },
  },
});
const records = Number(values.records);
const devices = Number(values.devices);
const brokers = values.brokers.split(',');

async function prefill(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  // Each device reports once per event-time second: windows close as the stream advances.
  const base = Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000;
  const chunk = 10_000;
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < records; i += chunk) {
    const messages = [];
    for (let j = i; j < Math.min(records, i + chunk); j++) {
      const deviceId = `bench-${j % devices}`;
      const ts = base + Math.floor(j / devices) * 1_000 + (j % 997);
      messages.push({
        key: deviceId,
        value: `{"deviceId":"${deviceId}","ts":${ts},"metrics":{"temperature":${20 + (j % 15)},"humidity":${40 + (j % 30)}},"ingestedAt":${ts}}`,
      });
    }
    inFlight.push(producer.send({ topic, messages, acks: 1 }));
    if (inFlight.length >= 8) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  await producer.disconnect();
}

async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets[0]?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** Raw kafkajs: no-op eachBatch, from the first record seen to the last. */
async function rawRate(kafka: Kafka, topic: string, groupId: string): Promise<number> {
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  let done: (ms: number) => void = () => undefined;
  const finished = new Promise<number>((r) => (done = r));
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      if (first === 0) first = performance.now();
      seen += batch.messages.length;
      if (seen >= records) done(performance.now() - first);
    },
  });
  const ms = await finished;
  await consumer.disconnect();
  return (records / ms) * 1000;
}

/** The aggregator in a child process: rate of committed input offsets, from the first commit. */
async function aggregatorRate(admin: Admin, names: Record<string, string>): Promise<number> {
  const env = {
    ...process.env,
    TSX_TSCONFIG_PATH: 'tsconfig.base.json',
    KAFKA_BROKERS: brokers.join(','),
    AGG_TELEMETRY_TOPIC: names['telemetry'],
    AGG_ACTIVITY_TOPIC: names['activity'],
    AGG_WINDOWS_1M_TOPIC: names['w1m'],
    AGG_WINDOWS_5M_TOPIC: names['w5m'],
    AGG_SESSIONS_TOPIC: names['sessions'],
    AGG_LATE_TOPIC: names['late'],
    AGG_CHANGELOG_TOPIC: names['changelog'],
    AGG_GROUP_ID: names['group'],
    AGG_TRANSACTIONAL_ID_PREFIX: names['tx'],
    AGG_COMMIT_INTERVAL_MS: values['commit-interval-ms'],
    AGG_MAX_RECORDS_PER_TRANSACTION: values['max-records-per-transaction'],
  } as NodeJS.ProcessEnv;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/aggregator/test/support/engine.fixture.ts'],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    const topic = names['telemetry'] as string;
    const group = names['group'] as string;
    let start: { at: number; offset: number } | undefined;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`aggregator exited with ${child.exitCode}`);
      const total = await committedTotal(admin, group, topic).catch(() => 0);
      const now = performance.now();
      if (start === undefined && total > 0) start = { at: now, offset: total };
      if (start !== undefined && total >= records) {
        return ((total - start.offset) / (now - start.at)) * 1000;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const kafka = createKafka({ brokers, clientId: 'aggregate-bench', logger: silentLogger });
  const admin = kafka.admin();
  await admin.connect();
  const id = `bench.agg-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const names: Record<string, string> = {
    telemetry: `${id}.telemetry`,
    activity: `${id}.activity`,
    w1m: `${id}.w1m`,
    w5m: `${id}.w5m`,
    sessions: `${id}.sessions`,
    late: `${id}.late`,
    changelog: `${id}.changelog`,
  };
  const topics = Object.values(names);
  names['group'] = `${id}.group`;
  names['tx'] = `${id}.tx`;
  const rawGroup = `${id}.raw`;
  try {
    topics.push(`${names['telemetry']}.dlq`);
    await ensureTopics(
      admin,
      topics.map((name) => ({
        name,
        partitions: name.endsWith('.dlq') ? 1 : PARTITIONS,
        configEntries:
          name === names['changelog'] ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
      })),
    );
    process.stdout.write(
      `loading ${records} readings of ${devices} devices into ${names['telemetry']}...\n`,
    );
    await prefill(kafka, names['telemetry'] as string);
    const raw = await rawRate(kafka, names['telemetry'] as string, rawGroup);
    const aggregated = await aggregatorRate(admin, names);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    process.stdout.write(
      [
        '',
        `aggregator (exactly-once, 1m + 5m windows, changelog): ${fmt(aggregated)} events/s`,
        `raw kafkajs eachBatch (no-op, same topic):             ${fmt(raw)} events/s`,
        `ratio aggregator / raw:                                 ${(aggregated / raw).toFixed(2)}`,
        `commit interval (fetch wait) ${values['commit-interval-ms']} ms, at most ${values['max-records-per-transaction']} records per transaction, ${PARTITIONS} partitions`,
        `reference: Kafka Streams ~${fmt(KAFKA_STREAMS_REFERENCE_EPS)} events/s on these machines (issue 8); target >= ${fmt(TARGET_EPS)}: ${aggregated >= TARGET_EPS ? 'met' : 'NOT met'}`,
        '',
      ].join('\n'),
    );
  } finally {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups([names['group'] as string, rawGroup]).catch(() => undefined);
    await admin.disconnect();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
