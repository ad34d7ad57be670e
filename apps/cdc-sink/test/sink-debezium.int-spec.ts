import {
  createTestDatabase,
  startServiceProcess,
  startTestConnector,
  startTestService,
  waitFor,
  type RunningTestService,
  type ServiceProcess,
  type TestConnector,
  type TestDatabase,
} from '@streamline/testing';
import { cdcSinkService } from '../src/cdc-sink.service';
import { SinkTestEnv } from './support/sink-test-env';

interface DeviceRow {
  id: string;
  name: string;
  location: string | null;
  thresholds: unknown;
  source_lsn: string;
}

/**
 * The whole chain with the real upstream: devices changed through the event-producer's HTTP API
 * (its real main.ts, against the test database), captured by a real Debezium connector on the
 * local Kafka Connect worker, applied by cdc-sink to `analytics.devices` in the same database.
 */
describe('registry changes reach analytics.devices through real Debezium', () => {
  const names = new SinkTestEnv();
  let producer: ServiceProcess;
  let connector: TestConnector;
  let sink: RunningTestService;
  let database: TestDatabase;

  const devices = () =>
    names.query<DeviceRow>(
      'SELECT id, name, location, thresholds, source_lsn::text AS source_lsn FROM analytics.devices ORDER BY id',
    );
  const device = async (id: string) => (await devices()).find((d) => d.id === id);

  async function call(method: string, path: string, body?: unknown): Promise<number> {
    const response = await fetch(`${producer.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  }

  beforeAll(async () => {
    database = await createTestDatabase('cdc_sink_debezium_it');
    // The event-producer's migrations create registry.devices (REPLICA IDENTITY FULL).
    producer = await startServiceProcess('event-producer', { DATABASE_URL: database.url });
    await producer.waitReady(90_000);
    // Registered before capture starts: it must arrive with the initial snapshot (op r).
    expect(
      await call('POST', '/devices', { id: 'snap-1', name: 'Before capture', type: 'meter' }),
    ).toBe(201);
    connector = await startTestConnector({
      database: database.name,
      schema: 'registry',
      table: 'devices',
    });
    await names.setUp({ database, devicesTopic: connector.topic });
    sink = await startTestService(cdcSinkService, names.env());
  }, 180_000);

  afterAll(async () => {
    await sink?.close();
    await connector?.stop();
    await producer?.stop();
    await names.cleanup();
    // names.cleanup() drops it once set up; before that it is ours to drop.
    await database?.drop();
  }, 120_000);

  it('takes the initial snapshot on first start', async () => {
    const row = await waitFor(() => device('snap-1'), { timeoutMs: 60_000, what: 'snap-1' });
    expect(row).toMatchObject({ id: 'snap-1', name: 'Before capture' });
  });

  it('a device created, updated and deleted over HTTP appears, changes and disappears', async () => {
    const thresholds = { temperature: { min: -5, max: 40 } };
    expect(
      await call('POST', '/devices', {
        id: 'http-1',
        name: 'Created',
        type: 'thermometer',
        location: 'lab',
        thresholds,
      }),
    ).toBe(201);
    const created = await waitFor(() => device('http-1'), { timeoutMs: 60_000, what: 'http-1' });
    expect(created).toMatchObject({ name: 'Created', location: 'lab', thresholds });

    expect(await call('PATCH', '/devices/http-1', { name: 'Renamed', location: null })).toBe(200);
    const updated = await waitFor(
      async () => {
        const row = await device('http-1');
        return row?.name === 'Renamed' ? row : undefined;
      },
      { timeoutMs: 60_000, what: 'the update of http-1' },
    );
    expect(updated.location).toBeNull();
    expect(BigInt(updated.source_lsn)).toBeGreaterThan(BigInt(created.source_lsn));

    expect(await call('DELETE', '/devices/http-1')).toBe(204);
    await waitFor(async () => ((await device('http-1')) === undefined ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the delete of http-1',
    });
    const tombstones = await names.query<{ id: string }>(
      'SELECT id FROM analytics.device_tombstones',
    );
    expect(tombstones).toEqual([{ id: 'http-1' }]);
    expect(await device('snap-1')).toBeDefined();
  });
});
