import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONSUMER_GROUPS,
  DEAD_LETTER_STREAM,
  KV_BUCKETS,
  STREAMS,
  TOPICS,
  TOPIC_SETTINGS,
} from '@streamline/contracts';
import { createKafka, ensureTopics, silentLogger } from '@streamline/messaging';
import { TEST_ENV, purgeMqttSession, uniqueName } from '@streamline/testing';
import type { Admin } from 'kafkajs';
import { connect } from 'nats';

/** What exists on the shared brokers: compared before and after the suite. */
export interface BrokerInventory {
  topics: string[];
  groups: string[];
  streams: string[];
}

/**
 * One run's own names for every service: Kafka topics `<id>.<production name>`, consumer groups,
 * transactional ids, JetStream streams, KV buckets, NATS subjects, MQTT client ids and share
 * group, the spool folder. A service started with `env(name)` touches no production name;
 * `cleanup()` removes all of it.
 */
export class IsolatedNames {
  readonly id = uniqueName('e2e');
  private readonly token = this.id.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();
  readonly spoolDir = join(tmpdir(), `${this.id}-spool`);
  readonly mqttClientId = `${this.id}-ingestor`;
  /** One stream for the aggregator (publisher) and cdc-sink (consumer), as in production. */
  readonly alertsStream = `${this.token}_ALERTS`;

  /** Whether a topic, group or stream name is one of this run's. */
  owns(name: string): boolean {
    return (
      name.startsWith(this.id) || name.startsWith(this.token) || name.startsWith(`KV_${this.id}`)
    );
  }

  topic(name: string): string {
    return `${this.id}.${name}`;
  }

  /** The topics the five services read and write, under this run's prefix. */
  topics(): string[] {
    const names = [
      TOPICS.TELEMETRY,
      TOPICS.USER_ACTIVITY,
      TOPICS.CDC_DEVICES,
      TOPICS.TELEMETRY_1M,
      TOPICS.TELEMETRY_5M,
      TOPICS.USER_SESSIONS,
      TOPICS.TELEMETRY_LATE,
      TOPICS.AGGREGATOR_CHANGELOG,
    ];
    return [...names, ...names.map((n) => `${n}.dlq`)].map((n) => this.topic(n));
  }

  env(service: string): Record<string, string> {
    const t = (name: string) => this.topic(name);
    switch (service) {
      case 'iot-ingestor':
        return {
          MQTT_CLIENT_ID: this.mqttClientId,
          MQTT_TELEMETRY_FILTER: `$share/${this.id}/${this.id}/sensors/+/telemetry`,
          MQTT_STATUS_FILTER: `${this.id}/sensors/+/status`,
          MQTT_LEAVE_SHARE_ON_STOP: 'true',
          TELEMETRY_TOPIC: t(TOPICS.TELEMETRY),
          PRESENCE_BUCKET: `${this.id}-presence`,
          SPOOL_DIR: this.spoolDir,
        };
      case 'event-producer':
        // PROXY_TOPICS names production topics by design; the proxy writes only on a request.
        return { EVENTS_TOPIC: t(TOPICS.USER_ACTIVITY) };
      case 'aggregator':
        return {
          AGG_TELEMETRY_TOPIC: t(TOPICS.TELEMETRY),
          AGG_ACTIVITY_TOPIC: t(TOPICS.USER_ACTIVITY),
          AGG_DEVICES_TOPIC: t(TOPICS.CDC_DEVICES),
          AGG_WINDOWS_1M_TOPIC: t(TOPICS.TELEMETRY_1M),
          AGG_WINDOWS_5M_TOPIC: t(TOPICS.TELEMETRY_5M),
          AGG_SESSIONS_TOPIC: t(TOPICS.USER_SESSIONS),
          AGG_LATE_TOPIC: t(TOPICS.TELEMETRY_LATE),
          AGG_CHANGELOG_TOPIC: t(TOPICS.AGGREGATOR_CHANGELOG),
          AGG_GROUP_ID: `${this.id}.aggregator`,
          AGG_TRANSACTIONAL_ID_PREFIX: `${this.id}.aggregator`,
          AGG_ALERTS_STREAM: this.alertsStream,
          AGG_ALERTS_SUBJECT_PREFIX: `${this.id}.alerts.`,
        };
      case 'dlq-handler':
        return {
          RETRY_TOPIC_PATTERN: `^${this.id.replace(/[.-]/g, '\\$&')}\\..+\\.retry$`,
          DLQ_TOPIC_PATTERN: `^${this.id.replace(/[.-]/g, '\\$&')}\\..+\\.dlq$`,
          RETRY_FORWARDER_GROUP: `${this.id}.forwarder`,
          DLQ_STORE_GROUP: `${this.id}.store`,
          DLQ_REPLAY_STREAM: `${this.token}_REPLAY`,
          DLQ_REPLAY_SUBJECT: `${this.id}.replay.commands`,
          DLQ_REPLAY_CONSUMER: `${this.token}_worker`,
        };
      case 'cdc-sink':
        return {
          CDC_SINK_GROUP_ID: `${this.id}.cdc-sink`,
          CDC_SINK_DEVICES_TOPIC: t(TOPICS.CDC_DEVICES),
          CDC_SINK_TELEMETRY_1M_TOPIC: t(TOPICS.TELEMETRY_1M),
          CDC_SINK_USER_SESSIONS_TOPIC: t(TOPICS.USER_SESSIONS),
          CDC_SINK_ALERTS_STREAM: this.alertsStream,
          CDC_SINK_ALERTS_SUBJECTS: `${this.id}.alerts.>`,
          CDC_SINK_ALERTS_CONSUMER: `${this.token}_sink`,
        };
      default:
        throw new Error(`no isolated names for ${service}`);
    }
  }

  async createTopics(): Promise<void> {
    await withAdmin((admin) =>
      ensureTopics(
        admin,
        this.topics().map((name) => ({ name, partitions: 1 })),
      ),
    );
  }

  /** Deletes everything named after this run: topics, groups, streams (KV included), sessions. */
  async cleanup(): Promise<void> {
    rmSync(this.spoolDir, { recursive: true, force: true });
    await withAdmin(async (admin) => {
      const groups = (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.startsWith(this.id));
      for (const group of groups) {
        await admin.deleteGroups([group]).catch((error: unknown) => {
          throw new Error(`consumer group ${group} not deleted (a member still running?)`, {
            cause: error,
          });
        });
      }
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(this.id));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    });
    const nc = await connect({ servers: TEST_ENV.natsUrl });
    try {
      const jsm = await nc.jetstreamManager();
      for await (const stream of jsm.streams.list()) {
        const name = stream.config.name;
        if (name.startsWith(this.token) || name === `KV_${this.id}-presence`)
          await jsm.streams.delete(name);
      }
    } finally {
      await nc.close();
    }
    for (const clientId of [this.mqttClientId, `${this.mqttClientId}-status`])
      await purgeMqttSession(clientId);
  }
}

/** Whether a name is one production uses: a contract topic, a service's group, stream or bucket. */
export function isProductionName(kind: keyof BrokerInventory, name: string): boolean {
  switch (kind) {
    case 'topics':
      return TOPIC_SETTINGS.some((t) => t.name === name);
    case 'groups':
      // The services' groups and those derived from them (restore readers, table readers).
      return Object.values(CONSUMER_GROUPS).some((g) => name === g || name.startsWith(`${g}.`));
    case 'streams':
      return (
        Object.values<string>(STREAMS).includes(name) ||
        name === DEAD_LETTER_STREAM ||
        Object.values(KV_BUCKETS).some((bucket) => name === `KV_${bucket}`)
      );
  }
}

/** What is in `after` and not in `before`, per kind. */
export function createdBetween(before: BrokerInventory, after: BrokerInventory): BrokerInventory {
  const created = (kind: keyof BrokerInventory) =>
    after[kind].filter((name) => !before[kind].includes(name));
  return { topics: created('topics'), groups: created('groups'), streams: created('streams') };
}

/** Topics, consumer groups and JetStream streams on the shared brokers right now. */
export async function brokerInventory(): Promise<BrokerInventory> {
  const { topics, groups } = await withAdmin(async (admin) => ({
    topics: (await admin.listTopics()).filter((t) => !t.startsWith('__')),
    groups: (await admin.listGroups()).groups.map((g) => g.groupId),
  }));
  const nc = await connect({ servers: TEST_ENV.natsUrl });
  const streams: string[] = [];
  try {
    for await (const stream of (await nc.jetstreamManager()).streams.list())
      streams.push(stream.config.name);
  } finally {
    await nc.close();
  }
  return { topics: topics.sort(), groups: groups.sort(), streams: streams.sort() };
}

async function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = createKafka({
    brokers: TEST_ENV.kafkaBrokers,
    clientId: 'e2e-services-admin',
    logger: silentLogger,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}
