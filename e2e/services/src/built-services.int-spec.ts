import {
  TEST_ENV,
  createTestDatabase,
  startBuiltService,
  type TestDatabase,
} from '@streamline/testing';
import {
  IsolatedNames,
  brokerInventory,
  createdBetween,
  isProductionName,
  type BrokerInventory,
} from './isolated-names';

const SERVICES = [
  'iot-ingestor',
  'event-producer',
  'aggregator',
  'dlq-handler',
  'cdc-sink',
] as const;

describe('services started from their build output', () => {
  /**
   * Every name the services use is this run's own (never a production topic, group, stream,
   * bucket or MQTT share group, where a leftover would take a share of the real traffic).
   */
  const names = new IsolatedNames();
  let database: TestDatabase;
  let before: BrokerInventory;

  beforeAll(async () => {
    before = await brokerInventory();
    database = await createTestDatabase('streamline_e2e');
    await names.createTopics();
  });

  afterAll(async () => {
    await names.cleanup();
    await database.drop();
  });

  const envOf = (name: string) => ({
    KAFKA_BROKERS: TEST_ENV.kafkaBrokers.join(','),
    NATS_URL: TEST_ENV.natsUrl,
    MQTT_URL: TEST_ENV.mqttUrl,
    DATABASE_URL: database.url,
    ...names.env(name),
    LOG_LEVEL: 'info',
  });

  it.each(SERVICES)(
    '%s becomes ready, logs JSON and exits 0 on SIGTERM within 10 s',
    async (name) => {
      const service = await startBuiltService(name, envOf(name));
      try {
        await service.waitReady({ timeoutMs: 45_000 });
        const metrics = await fetch(`${service.url}/metrics`);
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
    const service = await startBuiltService(name, { ...envOf(name), [variable]: value });
    // A service that accepted the bad value would run on: give it 30 s, then fail the test.
    const timer = setTimeout(() => service.child.kill('SIGKILL'), 30_000);
    const exit = await service.exited.finally(() => clearTimeout(timer));
    expect(exit.code).toBe(1);
    const fatal = service.lines.map(
      (line) => JSON.parse(line) as { level: number | string; msg: string },
    );
    expect(fatal.some((record) => record.msg.includes(variable))).toBe(true);
  });

  it('leaves nothing behind: no topic, group or stream of its own, none of production created', async () => {
    await names.cleanup();
    // Other runs on the same brokers may come and go meanwhile: only this run's and production's count.
    const created = createdBetween(before, await brokerInventory());
    const kinds = ['topics', 'groups', 'streams'] as const;
    const touched = kinds.flatMap((kind) =>
      created[kind]
        .filter((name) => names.owns(name) || isProductionName(kind, name))
        .map((name) => `${kind}: ${name}`),
    );
    expect(touched).toEqual([]);
  });
});
