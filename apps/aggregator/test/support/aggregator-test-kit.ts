import { connect } from 'nats';
import { createKafka, ensureTopics, silentLogger } from '@streamline/messaging';
import { readTopicToEnd, TEST_ENV, uniqueName, type ReadRecord } from '@streamline/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { AggregatorEngine } from '../../src/pipeline/aggregator-engine';
import { engineFromConfig } from '../../src/pipeline/engine-from-config';
import { aggregatorConfigSchema, type AggregatorConfig } from '../../src/config/aggregator.config';

/** The topics, group and names of one suite: never the production names. */
export interface SuiteNames {
  telemetry: string;
  activity: string;
  devices: string;
  windows1m: string;
  windows5m: string;
  sessions: string;
  late: string;
  changelog: string;
  groupId: string;
  txPrefix: string;
  alertsStream: string;
  alertsPrefix: string;
}

export const PARTITIONS = 3;
export const MINUTE = 60_000;

export function suiteNames(label: string): SuiteNames {
  const id = uniqueName(`it.agg.${label}`);
  return {
    telemetry: `${id}.telemetry`,
    activity: `${id}.activity`,
    devices: `${id}.devices`,
    windows1m: `${id}.w1m`,
    windows5m: `${id}.w5m`,
    sessions: `${id}.sessions`,
    late: `${id}.late`,
    changelog: `${id}.changelog`,
    groupId: `${id}.group`,
    txPrefix: `${id}.tx`,
    alertsStream: `IT_ALERTS_${id.replace(/[^A-Za-z0-9]/g, '_')}`,
    alertsPrefix: `it.alerts.${id.replace(/[^A-Za-z0-9]/g, '_')}.`,
  };
}

/** The aggregator environment of a suite: its own names, small timings. */
export function suiteEnv(
  names: SuiteNames,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_BROKERS: TEST_ENV.kafkaBrokers.join(','),
    NATS_URL: TEST_ENV.natsUrl,
    AGG_TELEMETRY_TOPIC: names.telemetry,
    AGG_ACTIVITY_TOPIC: names.activity,
    AGG_DEVICES_TOPIC: names.devices,
    AGG_WINDOWS_1M_TOPIC: names.windows1m,
    AGG_WINDOWS_5M_TOPIC: names.windows5m,
    AGG_SESSIONS_TOPIC: names.sessions,
    AGG_LATE_TOPIC: names.late,
    AGG_CHANGELOG_TOPIC: names.changelog,
    AGG_GROUP_ID: names.groupId,
    AGG_TRANSACTIONAL_ID_PREFIX: names.txPrefix,
    AGG_ALERTS_STREAM: names.alertsStream,
    AGG_ALERTS_SUBJECT_PREFIX: names.alertsPrefix,
    AGG_SESSION_TIMEOUT_MS: '6000',
    AGG_IDLE_MS: '3600000',
    AGG_PUNCTUATE_INTERVAL_MS: '200',
    AGG_MAX_RECORDS_PER_TRANSACTION: '50',
    ...overrides,
  };
}

export function suiteConfig(
  names: SuiteNames,
  overrides: Record<string, string> = {},
): AggregatorConfig {
  return aggregatorConfigSchema.parse(suiteEnv(names, overrides));
}

/** Deletes a suite's alert stream (the service creates it on start) and its consumer groups. */
export async function removeSuiteState(admin: Admin, names: SuiteNames): Promise<void> {
  const nc = await connect({ servers: TEST_ENV.natsUrl });
  try {
    await (await nc.jetstreamManager()).streams.delete(names.alertsStream).catch(() => false);
  } finally {
    await nc.close();
  }
  const groups = (await admin.listGroups()).groups
    .map((g) => g.groupId)
    .filter((g) => g.startsWith(names.groupId));
  if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
}

/** A suite's engine on its own topics, with a producer and an admin; `stop` removes it all. */
export interface EngineSuite {
  names: SuiteNames;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  engine: AggregatorEngine;
  stop(): Promise<void>;
}

export async function startEngineSuite(
  label: string,
  overrides: Record<string, string> = {},
): Promise<EngineSuite> {
  const names = suiteNames(label);
  const kafka = testKafka(`agg-${label}-it`);
  const admin = kafka.admin();
  await admin.connect();
  const topics = await createSuiteTopics(admin, names);
  const producer = kafka.producer();
  await producer.connect();
  const engine = engineFromConfig('aggregator', kafka, suiteConfig(names, overrides), silentLogger);
  await engine.start();
  return {
    names,
    kafka,
    admin,
    producer,
    engine,
    async stop() {
      await engine.stop();
      await producer.disconnect();
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await removeSuiteState(admin, names);
      await admin.disconnect();
    },
  };
}

export function testKafka(clientId: string): Kafka {
  return createKafka({ brokers: TEST_ENV.kafkaBrokers, clientId, logger: silentLogger });
}

export async function createSuiteTopics(admin: Admin, names: SuiteNames): Promise<string[]> {
  const compacted = [{ name: 'cleanup.policy', value: 'compact' }];
  const topics = [
    { name: names.telemetry, partitions: PARTITIONS },
    { name: names.activity, partitions: PARTITIONS },
    { name: names.devices, partitions: 1, configEntries: compacted },
    { name: names.windows1m, partitions: PARTITIONS },
    { name: names.windows5m, partitions: PARTITIONS },
    { name: names.sessions, partitions: PARTITIONS },
    { name: names.late, partitions: 1 },
    { name: names.changelog, partitions: PARTITIONS, configEntries: compacted },
    { name: `${names.telemetry}.dlq`, partitions: 1 },
    { name: `${names.activity}.dlq`, partitions: 1 },
  ];
  await ensureTopics(admin, topics);
  return topics.map((t) => t.name);
}

export interface Reading {
  deviceId: string;
  ts: number;
  metrics: Record<string, number>;
}

export async function sendReadings(
  producer: Producer,
  topic: string,
  readings: readonly Reading[],
): Promise<void> {
  for (let i = 0; i < readings.length; i += 500) {
    await producer.send({
      topic,
      messages: readings.slice(i, i + 500).map((r) => ({
        key: r.deviceId,
        value: JSON.stringify({ ...r, ingestedAt: r.ts }),
      })),
    });
  }
}

/** One reading per partition far ahead in event time: closes every earlier window. */
export async function sendFlush(producer: Producer, topic: string, ts: number): Promise<void> {
  await producer.send({
    topic,
    messages: Array.from({ length: PARTITIONS }, (_, partition) => ({
      partition,
      key: `flush-${partition}`,
      value: JSON.stringify({
        deviceId: `flush-${partition}`,
        ts,
        metrics: { t: 0 },
        ingestedAt: ts,
      }),
    })),
  });
}

/** Window value by windowId as read_committed readers see them; fails on a duplicate id. */
export async function committedWindows(
  kafka: Kafka,
  admin: Admin,
  topic: string,
): Promise<Map<string, unknown>> {
  const records = await readTopicToEnd(kafka, admin, topic, 'read_committed');
  const byId = new Map<string, unknown>();
  for (const record of records) {
    const value = JSON.parse(record.value) as { windowId: string };
    if (byId.has(value.windowId)) throw new Error(`window ${value.windowId} published twice`);
    byId.set(value.windowId, value);
  }
  return byId;
}

export async function committed(kafka: Kafka, admin: Admin, topic: string): Promise<ReadRecord[]> {
  return readTopicToEnd(kafka, admin, topic, 'read_committed');
}

/** Sum of the group's committed offsets on a topic. */
export async function committedOffsetTotal(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<number> {
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets[0]?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/**
 * The oracle: the expected windows, computed here from scratch (not with the service's code):
 * per device, per window of `sizeMs` advancing by `advanceMs`, count, min, max, sum, avg.
 */
export function expectedWindows(
  readings: readonly Reading[],
  sizeMs: number,
  advanceMs: number,
): Map<string, unknown> {
  const acc = new Map<
    string,
    { deviceId: string; start: number; count: number; m: Map<string, number[]> }
  >();
  for (const r of readings) {
    const first = Math.floor((r.ts - sizeMs + advanceMs) / advanceMs) * advanceMs;
    for (let start = Math.max(first, 0); start <= r.ts; start += advanceMs) {
      if (r.ts >= start + sizeMs) continue;
      const id = `${r.deviceId}:${start}:${sizeMs}`;
      const w = acc.get(id) ?? {
        deviceId: r.deviceId,
        start,
        count: 0,
        m: new Map<string, number[]>(),
      };
      w.count += 1;
      for (const [name, v] of Object.entries(r.metrics)) {
        const values = w.m.get(name) ?? [];
        values.push(v);
        w.m.set(name, values);
      }
      acc.set(id, w);
    }
  }
  const out = new Map<string, unknown>();
  for (const [id, w] of acc) {
    const metrics: Record<string, unknown> = {};
    for (const [name, values] of w.m) {
      const sum = values.reduce((a, b) => a + b, 0);
      metrics[name] = {
        count: values.length,
        min: Math.min(...values),
        max: Math.max(...values),
        sum,
        avg: sum / values.length,
      };
    }
    out.set(id, {
      windowId: id,
      deviceId: w.deviceId,
      windowStart: w.start,
      windowEnd: w.start + sizeMs,
      count: w.count,
      metrics,
    });
  }
  return out;
}

/** Drops the flush devices' windows, which the flush itself leaves open or closes. */
export function withoutFlush(windows: Map<string, unknown>): Map<string, unknown> {
  return new Map([...windows].filter(([id]) => !id.startsWith('flush-')));
}

export function uniqueSuffix(): string {
  return uniqueName('r').slice(2);
}
