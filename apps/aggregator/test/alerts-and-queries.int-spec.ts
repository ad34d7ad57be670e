import { ALERT_RULES } from '@streamline/contracts';
import { ensureTopics } from '@streamline/messaging';
import { startTestService, TEST_ENV, waitFor, type RunningTestService } from '@streamline/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { connect, JSONCodec, type NatsConnection } from 'nats';
import { aggregatorService } from '../src/aggregator.service';
import { AggregatorPipelineService } from '../src/pipeline/aggregator-pipeline.service';
import { AGGREGATOR_RPC } from '../src/queries/aggregator-queries.controller';
import {
  createSuiteTopics,
  MINUTE,
  PARTITIONS,
  sendReadings,
  suiteEnv,
  suiteNames,
  testKafka,
  uniqueSuffix,
} from './support/aggregator-test-kit';

const json = JSONCodec<Record<string, unknown>>();

/** A Debezium change of registry.devices inside Kafka Connect's {schema, payload} wrapper. */
function deviceChange(id: string, thresholds: Record<string, { min?: number; max?: number }>) {
  const row = {
    id,
    name: id,
    type: 'thermometer',
    location: null,
    thresholds: JSON.stringify(thresholds),
    created_at: '2024-05-01T12:00:00.000000Z',
    updated_at: new Date().toISOString(),
  };
  return {
    key: JSON.stringify({ schema: null, payload: { id } }),
    value: JSON.stringify({
      schema: { type: 'struct', fields: [] },
      payload: {
        before: null,
        after: row,
        op: 'u',
        source: { table: 'devices' },
        ts_ms: Date.now(),
      },
    }),
  };
}

describe('aggregator alerts (stream-table join) and queries', () => {
  const names = suiteNames('alerts');
  const base = Math.floor((Date.now() - 40 * MINUTE) / MINUTE) * MINUTE;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let nc: NatsConnection;
  let service: RunningTestService | undefined;
  let topics: string[] = [];
  const groups: string[] = [];

  const start = async (overrides: Record<string, string> = {}) => {
    const env = suiteEnv(names, { AGG_DEFAULT_THRESHOLDS: '{"h":{"max":1000}}', ...overrides });
    groups.push(env['AGG_GROUP_ID'] as string);
    return startTestService(aggregatorService, env);
  };
  const pipeline = () => service?.app.get(AggregatorPipelineService) as AggregatorPipelineService;
  const storedAlerts = async () => {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(names.alertsStream);
    const alerts: Record<string, unknown>[] = [];
    for (
      let seq = info.state.first_seq;
      seq <= info.state.last_seq && info.state.messages > 0;
      seq++
    ) {
      alerts.push(json.decode((await jsm.streams.getMessage(names.alertsStream, { seq })).data));
    }
    return alerts;
  };

  beforeAll(async () => {
    kafka = testKafka('agg-alerts-it');
    admin = kafka.admin();
    await admin.connect();
    topics = await createSuiteTopics(admin, names);
    producer = kafka.producer();
    await producer.connect();
    nc = await connect({ servers: TEST_ENV.natsUrl });
    service = await start();
  });

  afterAll(async () => {
    await service?.close();
    await producer?.disconnect();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(names.alertsStream).catch(() => undefined);
    await nc.close();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
  });

  it('alerts on a closed window from the device thresholds, and a threshold change changes the next alert', async () => {
    const thresholdsApplied = (max: number | undefined) =>
      waitFor(
        () => (pipeline().table.thresholdsOf('dev-a')?.['t']?.max === max ? true : undefined),
        {
          what: `dev-a thresholds max=${max}`,
        },
      );
    await producer.send({
      topic: names.devices,
      messages: [deviceChange('dev-a', { t: { max: 50 } })],
    });
    await thresholdsApplied(50);
    // Window [base, base+1m): avg 60 > 50. The reading at base+2m closes it (grace 10 s).
    await sendReadings(producer, names.telemetry, [
      { deviceId: 'dev-a', ts: base + 1_000, metrics: { t: 60, h: 1 } },
      { deviceId: 'dev-a', ts: base + 2_000, metrics: { t: 60, h: 1 } },
      { deviceId: 'dev-a', ts: base + 2 * MINUTE, metrics: { t: 0, h: 1 } },
    ]);
    await waitFor(async () => ((await storedAlerts()).length === 1 ? true : undefined), {
      what: 'the first alert',
    });

    await producer.send({
      topic: names.devices,
      messages: [deviceChange('dev-a', { t: { min: 45, max: 70 } })],
    });
    await thresholdsApplied(70);
    // Window [base+2m, base+3m): 0, 60, 60 → avg 40: under the new max, below the new min.
    await sendReadings(producer, names.telemetry, [
      { deviceId: 'dev-a', ts: base + 2 * MINUTE + 1_000, metrics: { t: 60, h: 1 } },
      { deviceId: 'dev-a', ts: base + 2 * MINUTE + 2_000, metrics: { t: 60, h: 1 } },
      { deviceId: 'dev-a', ts: base + 4 * MINUTE, metrics: { t: 50, h: 1 } },
    ]);
    await waitFor(async () => ((await storedAlerts()).length === 2 ? true : undefined), {
      what: 'the second alert',
    });
    expect(await storedAlerts()).toEqual([
      expect.objectContaining({
        deviceId: 'dev-a',
        rule: ALERT_RULES.THRESHOLD_MAX,
        metric: 't',
        value: 60,
        threshold: 50,
        windowStart: base,
      }),
      expect.objectContaining({
        rule: ALERT_RULES.THRESHOLD_MIN,
        metric: 't',
        value: 40,
        threshold: 45,
        windowStart: base + 2 * MINUTE,
      }),
    ]);
  });

  it('answers GET /windows/:deviceId, GET /stats and the same over NATS request-reply', async () => {
    const base0 = service?.baseUrl as string;
    const windows = (await (await fetch(`${base0}/windows/dev-a`)).json()) as {
      open: Array<{ windowStart: number }>;
      closed: Array<{ windowStart: number }>;
    };
    expect(windows.closed.map((w) => w.windowStart)).toEqual([base, base + 2 * MINUTE]);
    expect(windows.open.some((w) => w.windowStart === base + 4 * MINUTE)).toBe(true);
    expect((await fetch(`${base0}/windows/a.b`)).status).toBe(400);
    const stats = (await (await fetch(`${base0}/stats`)).json()) as {
      partitions: Array<{ topic: string; streamTime: number | null }>;
      openWindows: number;
      devices: number;
    };
    expect(
      stats.partitions.filter((p) => p.topic === names.telemetry).map((p) => p.streamTime),
    ).toContain(base + 4 * MINUTE);
    expect(stats.openWindows).toBeGreaterThan(0);
    expect(stats.devices).toBe(1);
    // Nest's NATS transport frames requests as { pattern, data, id } and replies as { response }.
    const request = { pattern: AGGREGATOR_RPC.WINDOWS, data: { deviceId: 'dev-a' }, id: 'it-1' };
    const reply = await waitFor(
      async () => {
        try {
          const message = await nc.request(AGGREGATOR_RPC.WINDOWS, json.encode(request), {
            timeout: 2_000,
          });
          return json.decode(message.data)['response'];
        } catch {
          return undefined; // the RPC handlers subscribe in the background after start
        }
      },
      { what: 'a NATS reply' },
    );
    expect(JSON.stringify(reply)).toContain(`"windowStart":${base + 2 * MINUTE}`);
  });

  it('publishes no second alert when the same window is computed again (JetStream drops the same Nats-Msg-Id)', async () => {
    await service?.close();
    // A fresh group, state and transactional ids over the same input: the same windows again.
    const suffix = uniqueSuffix();
    const changelog = `${names.changelog}.replay-${suffix}`;
    await ensureTopics(admin, [
      {
        name: changelog,
        partitions: PARTITIONS,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ]);
    topics.push(changelog);
    service = await start({
      AGG_CHANGELOG_TOPIC: changelog,
      AGG_GROUP_ID: `${names.groupId}.replay-${suffix}`,
      AGG_TRANSACTIONAL_ID_PREFIX: `${names.txPrefix}.replay-${suffix}`,
    });
    // The join uses the table as it is now (min 45, max 70): the second window's alert again,
    // with the same id; the first window no longer breaks the thresholds.
    await waitFor(() => (pipeline().alerts.duplicates === 1 ? true : undefined), {
      what: 'the min alert re-published',
    });
    await waitFor(
      () =>
        pipeline()
          .engine.stats()
          .some((p) => p.streamTime === base + 4 * MINUTE)
          ? true
          : undefined,
      { what: 'the replay to reach the last reading' },
    );
    expect(pipeline().alerts.published).toBe(0);
    expect((await storedAlerts()).map((a) => a['rule'])).toEqual([
      ALERT_RULES.THRESHOLD_MAX,
      ALERT_RULES.THRESHOLD_MIN,
    ]);
  });
});
