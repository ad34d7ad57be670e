import { startServiceProcess, type ServiceProcess } from '@streamline/testing';
import { SinkTestEnv } from './support/sink-test-env';

const WINDOWS = 600;
const START = Date.parse('2026-11-30T00:00:00Z');

function window(i: number) {
  const deviceId = `dev-${i % 40}`;
  const windowStart = START + Math.floor(i / 40) * 60_000;
  return {
    key: deviceId,
    value: {
      windowId: `${deviceId}:${windowStart}:60000`,
      deviceId,
      windowStart,
      windowEnd: windowStart + 60_000,
      count: 1,
      metrics: { temperature: { min: i, max: i, sum: i, avg: i } },
    },
  };
}

/**
 * kill -9 exactly between the database commit and Kafka's (advisory) commit: the real cdc-sink
 * main.ts in a child process with CDC_SINK_CRASH_AFTER_DB_COMMIT, which SIGKILLs itself right
 * after its first transaction with rows committed. A trigger counts every write of every row, so
 * a batch applied twice would show even though the table itself is an upsert.
 */
describe('cdc-sink killed with SIGKILL between the database commit and the Kafka commit', () => {
  const names = new SinkTestEnv();
  let sink: ServiceProcess | undefined;

  beforeAll(async () => {
    await names.setUp();
  });

  afterAll(async () => {
    await sink?.stop();
    await names.cleanup();
  }, 60_000);

  it('restarts from the offsets in the database: every window once, nothing missing', async () => {
    const env = names.env({ CDC_SINK_BATCH_RECORDS: '50' });
    sink = await startServiceProcess('cdc-sink', {
      ...env,
      CDC_SINK_CRASH_AFTER_DB_COMMIT: 'true',
    });
    await sink.waitReady(90_000);
    await names.query(`
      CREATE TABLE public.writes (window_id text PRIMARY KEY, n int NOT NULL);
      CREATE FUNCTION public.count_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO public.writes VALUES (NEW.window_id, 1)
        ON CONFLICT (window_id) DO UPDATE SET n = public.writes.n + 1;
        RETURN NEW;
      END $$;
      CREATE TRIGGER count_write AFTER INSERT OR UPDATE ON analytics.telemetry_1m
      FOR EACH ROW EXECUTE FUNCTION public.count_write();`);
    const records = Array.from({ length: WINDOWS }, (_, i) => window(i));
    await names.produce(names.topics.windows, records);

    const { signal } = await sink.exited;
    expect(signal).toBe('SIGKILL');
    const inDatabase = await names.storedOffsets(names.topics.windows);
    expect(inDatabase).toBeGreaterThan(0);
    // The crash came before Kafka heard of the last transaction: its commit is behind the table.
    const admin = names.kafka.admin();
    await admin.connect();
    const [committed] = await admin
      .fetchOffsets({ groupId: names.group, topics: [names.topics.windows] })
      .finally(() => admin.disconnect());
    const inKafka = (committed?.partitions ?? []).reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );
    expect(inKafka).toBeLessThan(inDatabase);

    sink = await startServiceProcess('cdc-sink', env);
    await names.waitForStored(names.topics.windows, WINDOWS, 90_000);

    const rows = await names.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM analytics.telemetry_1m',
    );
    expect(Number(rows[0]?.n)).toBe(WINDOWS);
    const writes = await names.query<{ window_id: string; n: number }>(
      'SELECT window_id, n FROM public.writes WHERE n <> 1',
    );
    expect(writes).toEqual([]);
    const counted = await names.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM public.writes',
    );
    expect(Number(counted[0]?.n)).toBe(WINDOWS);
  }, 240_000);
});
