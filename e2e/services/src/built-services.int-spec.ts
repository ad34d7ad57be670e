import {
  TEST_ENV,
  createTestDatabase,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@streamline/testing';
import { connectAsync } from 'mqtt';
import { freePort, startBuiltService } from './built-service';

const SERVICES = [
  'iot-ingestor',
  'event-producer',
  'aggregator',
  'dlq-handler',
  'cdc-sink',
] as const;

/**
 * The ingestor's MQTT names of this run: its own share group and topic space (never the
 * production `$share/iot-ingestor`, where a leftover session would take every other reading of
 * the real ingestor) and its own client id, whose sessions are removed at the end.
 */
const ingestorId = uniqueName('e2e-ingestor');
const INGESTOR_MQTT = {
  MQTT_CLIENT_ID: ingestorId,
  MQTT_TELEMETRY_FILTER: `$share/${ingestorId}/${ingestorId}/sensors/+/telemetry`,
  MQTT_STATUS_FILTER: `${ingestorId}/sensors/+/status`,
  MQTT_LEAVE_SHARE_ON_STOP: 'true',
};

/** Removes a persistent MQTT session (and what it queued) with a clean-start connect. */
async function purgeMqttSession(clientId: string): Promise<void> {
  const client = await connectAsync(TEST_ENV.mqttUrl, {
    clientId,
    protocolVersion: 5,
    clean: true,
    properties: { sessionExpiryInterval: 0 },
  });
  await client.endAsync();
}

describe('services started from their build output', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('streamline_e2e');
  });

  afterAll(async () => {
    await database.drop();
    for (const clientId of [ingestorId, `${ingestorId}-status`]) await purgeMqttSession(clientId);
  });

  it.each(SERVICES)(
    '%s becomes ready, logs JSON and exits 0 on SIGTERM within 10 s',
    async (name) => {
      const port = await freePort();
      const service = startBuiltService(
        name,
        {
          DATABASE_URL: database.url,
          ...INGESTOR_MQTT,
          LOG_LEVEL: 'info',
        },
        port,
      );
      try {
        await waitFor(
          async () => {
            const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
            return response.status === 200 ? true : undefined;
          },
          { timeoutMs: 45_000, what: `${name} ready` },
        );
        const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
        expect(metrics.status).toBe(200);

        const signalledAt = Date.now();
        service.child.kill('SIGTERM');
        const exit = await service.exited;
        expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
        expect(exit.atMs - signalledAt).toBeLessThan(10_000);

        const records = service.lines.map(
          (line) => JSON.parse(line) as { level: string; msg: string; service: string },
        );
        expect(records.length).toBeGreaterThan(0);
        expect(records.every((record) => record.service === name)).toBe(true);
        expect(records.map((record) => record.msg)).toEqual(
          expect.arrayContaining(['shutdown complete']),
        );
      } finally {
        if (service.child.exitCode === null) service.child.kill('SIGKILL');
      }
    },
  );

  it.each([
    ['aggregator', 'KAFKA_BROKERS', 'not a broker list'],
    ['iot-ingestor', 'MQTT_URL', 'http://localhost:1883'],
    ['event-producer', 'DATABASE_URL', 'mysql://localhost/streamline'],
    ['dlq-handler', 'PORT', 'eighty'],
    ['cdc-sink', 'NATS_URL', '::'],
  ])('%s refuses a bad %s: exit code 1 with a message naming it', async (name, variable, value) => {
    const service = startBuiltService(name, { [variable]: value }, await freePort());
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    const fatal = service.lines.map(
      (line) => JSON.parse(line) as { level: number | string; msg: string },
    );
    expect(fatal.some((record) => record.msg.includes(variable))).toBe(true);
  });
});
