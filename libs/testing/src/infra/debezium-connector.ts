import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { TEST_ENV } from './test-env';
import { uniqueName } from './unique-name';
import { waitFor } from './wait-for';

/**
 * Prefix of every test connector. `infra.sh up` deletes test connectors (and drops their slots)
 * older than 30 minutes whose name matches `<prefix>-<Date.now() base 36>-<hex>`: the ones a
 * killed test run left behind. Keep the two in step (infra/connect/connect.sh CDC_TEST_PREFIX).
 */
export const TEST_CONNECTOR_PREFIX = 'streamline-cdc-test';

export interface TestConnectorOptions {
  /** An existing database (e.g. from `createTestDatabase()`); the table must exist in it. */
  database: string;
  schema: string;
  table: string;
  /** Kafka topic prefix; default: the connector's unique name. Topic = `<prefix>.<schema>.<table>`. */
  topicPrefix?: string;
  /** Connector name; default: `streamline-cdc-test-<unique>`. */
  name?: string;
  /**
   * Create the table's topic before registering (default), so a consumer can subscribe at once.
   * `false`: the worker creates it (topic.creation.default.*) with the connector's first event.
   */
  precreateTopic?: boolean;
  /** Extra or overriding connector settings. */
  config?: Record<string, string>;
  /** How long to wait for RUNNING and a streaming slot (default 90 s). */
  timeoutMs?: number;
}

export interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

export interface TestConnector {
  name: string;
  slotName: string;
  publicationName: string;
  topicPrefix: string;
  /** The table's change topic, `<topicPrefix>.<schema>.<table>`. */
  topic: string;
  status(): Promise<ConnectorStatus>;
  /** Resolves once the table's topic exists (for `precreateTopic: false`). */
  waitForTopic(timeoutMs?: number): Promise<void>;
  /** Deletes the connector, drops its slot and publication, deletes its topics. Idempotent. */
  stop(): Promise<void>;
}

interface ConnectResponse {
  status: number;
  body: unknown;
}

/** One Kafka Connect REST call (TEST_ENV.kafkaConnectUrl); rejects on network errors only. */
export async function connectRequest(
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<ConnectResponse> {
  const response = await fetch(`${TEST_ENV.kafkaConnectUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function connectorConfig(
  options: TestConnectorOptions,
  names: { slotName: string; publicationName: string; topicPrefix: string },
): Record<string, string> {
  const server = new URL(TEST_ENV.postgresServerUrl);
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'database.hostname': server.hostname,
    'database.port': server.port || '5432',
    'database.user': decodeURIComponent(server.username || 'postgres'),
    'database.password': decodeURIComponent(server.password),
    'database.dbname': options.database,
    'plugin.name': 'pgoutput',
    'slot.name': names.slotName,
    'publication.name': names.publicationName,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': `${options.schema}.${options.table}`,
    'topic.prefix': names.topicPrefix,
    'tombstones.on.delete': 'true',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    'topic.creation.default.replication.factor': '1',
    'topic.creation.default.partitions': '1',
    ...options.config,
  };
}

async function withDatabase<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const url = new URL(TEST_ENV.postgresServerUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function describeStatus(status: ConnectorStatus | undefined): string {
  if (!status) return 'no status yet';
  const failed = [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
  const states = [status.connector.state, ...status.tasks.map((t) => t.state)].join('/');
  return failed?.trace ? `${states}: ${failed.trace.split('\n')[0]}` : states;
}

function failedState(status: ConnectorStatus): string | undefined {
  const states = [status.connector, ...status.tasks];
  return states.some((s) => s.state === 'FAILED') ? describeStatus(status) : undefined;
}

function isRunning(status: ConnectorStatus): boolean {
  return (
    status.connector.state === 'RUNNING' &&
    status.tasks.length > 0 &&
    status.tasks.every((t) => t.state === 'RUNNING')
  );
}

/**
 * Polls `probe` until it returns true; fails at once when the connector is FAILED (no point in
 * waiting), and with the last state it saw when time runs out.
 */
async function waitWhileHealthy(
  what: string,
  timeoutMs: number,
  status: () => Promise<ConnectorStatus>,
  probe: (current: ConnectorStatus) => Promise<boolean>,
): Promise<void> {
  let failure: string | undefined;
  await waitFor(
    async () => {
      const current = await status();
      failure = failedState(current);
      if (failure || (await probe(current))) return true;
      throw new Error(`last state ${describeStatus(current)}`);
    },
    { timeoutMs, intervalMs: 500, what },
  );
  if (failure) throw new Error(`${what}: connector FAILED (${failure})`);
}

async function dropSlotAndPublication(
  database: string,
  slotName: string,
  publicationName: string,
): Promise<void> {
  await withDatabase(database, async (client) => {
    // The task lets go of the slot asynchronously after the connector is deleted; one that does
    // not within 20 s (a stuck task) has its walsender ended.
    const terminateAfter = Date.now() + 20_000;
    await waitFor(
      async () => {
        const { rows } = await client.query<{ active: boolean }>(
          'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
          [slotName],
        );
        const slot = rows[0];
        if (!slot) return true;
        if (!slot.active) {
          await client.query('SELECT pg_drop_replication_slot($1)', [slotName]);
          return true;
        }
        if (Date.now() > terminateAfter) {
          await client.query(
            'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1',
            [slotName],
          );
        }
        return undefined;
      },
      { timeoutMs: 40_000, intervalMs: 250, what: `replication slot ${slotName} dropped` },
    );
    await client.query(`DROP PUBLICATION IF EXISTS "${publicationName}"`);
  });
}

async function deleteTopics(admin: Admin, topicPrefix: string): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${topicPrefix}.`));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
}

/**
 * Registers a Debezium Postgres connector for one table on the local Kafka Connect worker
 * (`npm run infra:up`), with a unique connector, slot, publication and topic prefix, and waits
 * until it streams: connector and task RUNNING, replication slot active.
 */
export async function startTestConnector(options: TestConnectorOptions): Promise<TestConnector> {
  const unique = uniqueName(TEST_CONNECTOR_PREFIX);
  const name = options.name ?? unique;
  const slotName = unique.replace(/-/g, '_');
  const publicationName = slotName;
  const topicPrefix = options.topicPrefix ?? unique;
  const topic = `${topicPrefix}.${options.schema}.${options.table}`;
  const timeoutMs = options.timeoutMs ?? 90_000;
  const admin = new Kafka({
    clientId: name,
    brokers: TEST_ENV.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();

  let stopped = false;
  const status = async (): Promise<ConnectorStatus> => {
    const response = await connectRequest('GET', `/connectors/${name}/status`);
    if (response.status !== 200) {
      throw new Error(`GET /connectors/${name}/status: HTTP ${response.status}`);
    }
    return response.body as ConnectorStatus;
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      const deleted = await connectRequest('DELETE', `/connectors/${name}`);
      if (deleted.status !== 204 && deleted.status !== 404) {
        throw new Error(`DELETE /connectors/${name}: HTTP ${deleted.status}`);
      }
      await dropSlotAndPublication(options.database, slotName, publicationName);
      await deleteTopics(admin, topicPrefix);
    } finally {
      await admin.disconnect();
    }
  };
  const connector: TestConnector = {
    name,
    slotName,
    publicationName,
    topicPrefix,
    topic,
    status,
    stop,
    waitForTopic: async (waitMs = timeoutMs) => {
      await waitFor(async () => ((await admin.listTopics()).includes(topic) ? true : undefined), {
        timeoutMs: waitMs,
        intervalMs: 500,
        what: `topic ${topic}`,
      });
    },
  };

  try {
    if (options.precreateTopic ?? true) {
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
        waitForLeaders: true,
      });
    }
    const put = await connectRequest(
      'PUT',
      `/connectors/${name}/config`,
      connectorConfig(options, { slotName, publicationName, topicPrefix }),
    );
    if (put.status !== 201 && put.status !== 200) {
      throw new Error(
        `PUT /connectors/${name}/config: HTTP ${put.status} ${JSON.stringify(put.body)}`,
      );
    }
    await waitWhileHealthy(`connector ${name} RUNNING`, timeoutMs, status, async (current) =>
      isRunning(current),
    );
    // RUNNING comes before the task has created its slot: changes count from the slot on.
    await withDatabase(options.database, (client) =>
      waitWhileHealthy(`replication slot ${slotName} streaming`, timeoutMs, status, async () => {
        const { rows } = await client.query(
          'SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active',
          [slotName],
        );
        return rows.length > 0;
      }),
    );
    return connector;
  } catch (error) {
    await stop();
    throw error;
  }
}
