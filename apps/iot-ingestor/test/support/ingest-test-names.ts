import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, ensureTopics, silentLogger } from '@streamline/messaging';
import { TEST_ENV, purgeMqttSession, uniqueName } from '@streamline/testing';

export { purgeMqttSession } from '@streamline/testing';
import { connect as mqttConnect, connectAsync } from 'mqtt';
import { connect } from 'nats';

/**
 * Names of one test's own topic space: MQTT topics under `it-<unique>/`, its shared
 * subscription group, Kafka topics `<unique>.iot.telemetry.v1(.dlq)` and KV bucket
 * `<unique>-presence`. `cleanup()` deletes all of it, the MQTT sessions and retained
 * status messages included, and nothing else.
 */
export class IngestTestSpace {
  readonly id = uniqueName('it-ingest');
  readonly prefix = this.id;
  readonly telemetryTopic = `${this.id}.iot.telemetry.v1`;
  readonly dlqTopic = `${this.telemetryTopic}.dlq`;
  readonly bucket = `${this.id}-presence`;
  readonly telemetryFilter = `$share/${this.id}/${this.prefix}/sensors/+/telemetry`;
  readonly statusFilter = `${this.prefix}/sensors/+/status`;
  /** The spools of this space's instances (one folder per client id), deleted at cleanup. */
  readonly spoolDir = join(tmpdir(), `${this.id}-spool`);
  private readonly clientIds = new Set<string>();
  private readonly retainedTopics = new Set<string>();

  /** A client id of this space; its session (and its `-status` one) is purged at cleanup. */
  clientId(name = 'ingestor'): string {
    const id = `${this.id}-${name}`;
    this.clientIds.add(id);
    return id;
  }

  telemetry(deviceId: string): string {
    return `${this.prefix}/sensors/${deviceId}/telemetry`;
  }

  /** A status topic; a retained message on it is cleared at cleanup. */
  status(deviceId: string): string {
    const topic = `${this.prefix}/sensors/${deviceId}/status`;
    this.retainedTopics.add(topic);
    return topic;
  }

  /** The service environment pointing at this space (brokers from TEST_ENV unless overridden). */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      KAFKA_BROKERS: TEST_ENV.kafkaBrokers.join(','),
      NATS_URL: TEST_ENV.natsUrl,
      MQTT_URL: TEST_ENV.mqttUrl,
      MQTT_CLIENT_ID: this.clientId(),
      MQTT_TELEMETRY_FILTER: this.telemetryFilter,
      MQTT_STATUS_FILTER: this.statusFilter,
      TELEMETRY_TOPIC: this.telemetryTopic,
      PRESENCE_BUCKET: this.bucket,
      PRESENCE_REFRESH_MS: '200',
      SPOOL_DIR: this.spoolDir,
      ...overrides,
    };
  }

  /** Creates this space's telemetry and dead-letter topics on `brokers`. */
  async createTopics(brokers: string[] = TEST_ENV.kafkaBrokers, partitions = 3): Promise<void> {
    const kafka = createKafka({ brokers, clientId: `${this.id}-admin`, logger: silentLogger });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        { name: this.telemetryTopic, partitions },
        { name: this.dlqTopic, partitions: 1 },
      ]);
    } finally {
      await admin.disconnect();
    }
  }

  async cleanup(brokers: string[] = TEST_ENV.kafkaBrokers): Promise<void> {
    rmSync(this.spoolDir, { recursive: true, force: true });
    const kafka = createKafka({
      brokers,
      clientId: `${this.id}-admin`,
      logger: silentLogger,
      retry: { retries: 1 },
    });
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteTopics({ topics: [this.telemetryTopic, this.dlqTopic] }))
      .catch(() => undefined)
      .finally(() => admin.disconnect());
    for (const clientId of this.clientIds) {
      for (const id of [clientId, `${clientId}-status`]) await purgeMqttSession(id);
    }
    if (this.retainedTopics.size > 0) {
      const client = await connectAsync(TEST_ENV.mqttUrl, {
        clientId: `${this.id}-cleaner`,
        clean: true,
      });
      for (const topic of this.retainedTopics)
        await client.publishAsync(topic, '', { qos: 1, retain: true });
      await client.endAsync();
    }
    const nc = await connect({ servers: TEST_ENV.natsUrl });
    try {
      await (
        await nc.jetstreamManager()
      ).streams
        .delete(`KV_${this.bucket}`)
        .catch(() => undefined);
    } finally {
      await nc.close();
    }
  }
}

/**
 * Whether the broker keeps a persistent session for `clientId`: the CONNACK's sessionPresent of
 * a resuming connect, which then ends with session expiry 0 (so asking removes the session).
 */
export async function hasMqttSession(clientId: string): Promise<boolean> {
  const client = mqttConnect(TEST_ENV.mqttUrl, {
    clientId,
    protocolVersion: 5,
    clean: false,
    reconnectPeriod: 0,
    properties: { sessionExpiryInterval: 0 },
  });
  try {
    return await new Promise<boolean>((resolve, reject) => {
      client.once('connect', (connack) => resolve(connack.sessionPresent));
      client.once('error', reject);
    });
  } finally {
    await client.endAsync();
  }
}
