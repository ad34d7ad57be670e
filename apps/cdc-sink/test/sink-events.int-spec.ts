import { startTestService, waitFor, type RunningTestService } from '@streamline/testing';
import { cdcSinkService } from '../src/cdc-sink.service';
import { deviceEvent, SinkTestEnv } from './support/sink-test-env';

interface DeviceRow {
  id: string;
  name: string;
  source_lsn: string;
  thresholds: unknown;
  extra: unknown;
}

const window = (deviceId: string, windowStart: number, count: number) => ({
  windowId: `${deviceId}:${windowStart}:60000`,
  deviceId,
  windowStart,
  windowEnd: windowStart + 60_000,
  count,
  metrics: { temperature: { min: 1, max: 3, sum: 2 * count, avg: 2 } },
});

const session = (userId: string, sessionStart: number) => ({
  sessionId: `${userId}:${sessionStart}`,
  userId,
  sessionStart,
  sessionEnd: sessionStart + 5_000,
  eventCount: 3,
  types: { click: 2, view: 1 },
});

/**
 * cdc-sink in-process against real Kafka, NATS and Postgres, fed with Debezium-shaped events the
 * test writes itself (bare and in the Connect wrapper), so order, replays and bad input are
 * under the test's control. The real connector is in sink-debezium.int-spec.ts.
 */
describe('cdc-sink applies change events, aggregates and alerts (real brokers)', () => {
  const names = new SinkTestEnv();
  let sink: RunningTestService;

  beforeAll(async () => {
    await names.setUp();
    sink = await startTestService(cdcSinkService, names.env());
  }, 60_000);

  afterAll(async () => {
    await sink?.close();
    await names.cleanup();
  }, 60_000);

  const devices = () =>
    names.query<DeviceRow>(
      'SELECT id, name, source_lsn::text AS source_lsn, thresholds, extra FROM analytics.devices ORDER BY id',
    );

  it('upserts c/r/u, deletes on d, ignores tombstones, and never moves a row back in time', async () => {
    const { devices: topic } = names.topics;
    await names.produce(topic, [
      { key: 'a', value: deviceEvent('r', 'a', 100, { name: 'snapshot a' }) },
      { key: 'b', value: deviceEvent('c', 'b', 110, { name: 'b v1', firmware: '1.0' }, true) },
      { key: 'a', value: deviceEvent('u', 'a', 120, { name: 'a v2' }, true) },
      { key: 'c', value: deviceEvent('c', 'c', 130) },
      { key: 'c', value: deviceEvent('d', 'c', 140) },
      { key: 'c', value: null, raw: true },
    ]);
    await names.waitForStored(topic, 6);
    // Replays and reordering, each in its own later batch: an older update of a, an older
    // create of b, the old create of the deleted c.
    await names.produce(topic, [
      { key: 'a', value: deviceEvent('u', 'a', 110, { name: 'a stale' }) },
    ]);
    await names.produce(topic, [
      { key: 'b', value: deviceEvent('c', 'b', 105, { name: 'b older' }) },
    ]);
    await names.produce(topic, [{ key: 'c', value: deviceEvent('c', 'c', 130) }]);
    await names.waitForStored(topic, 9);

    expect(await devices()).toEqual([
      {
        id: 'a',
        name: 'a v2',
        source_lsn: '120',
        thresholds: { temperature: { max: 30 } },
        extra: null,
      },
      {
        id: 'b',
        name: 'b v1',
        source_lsn: '110',
        thresholds: { temperature: { max: 30 } },
        extra: { firmware: '1.0' },
      },
    ]);
    // A newer create of the deleted id is a real re-creation and does land.
    await names.produce(topic, [
      { key: 'c', value: deviceEvent('c', 'c', 150, { name: 'c again' }) },
    ]);
    await waitFor(async () => ((await devices()).some((d) => d.id === 'c') ? true : undefined));
  });

  it('sends an unmappable change event to <topic>.dlq with the reason and moves on', async () => {
    const { devices: topic } = names.topics;
    const before = await names.storedOffsets(topic);
    await names.produce(topic, [
      { key: 'bad', value: deviceEvent('c', 'bad', 200, { name: '' }) },
      { key: 'd', value: deviceEvent('c', 'd', 210) },
    ]);
    await names.waitForStored(topic, before + 2);
    expect((await devices()).map((d) => d.id)).toContain('d');
    const admin = names.kafka.admin();
    await admin.connect();
    try {
      const [dlq] = await admin.fetchTopicOffsets(`${topic}.dlq`);
      expect(Number(dlq?.high)).toBe(1);
    } finally {
      await admin.disconnect();
    }
  });

  it('lands each aggregate once even when the same records are delivered twice', async () => {
    const windows = [window('dev-1', 1_764_460_000_000, 4), window('dev-2', 1_764_460_000_000, 2)];
    const sessions = [session('u1', 1_764_460_000_000), session('u2', 1_764_460_001_000)];
    for (let delivery = 0; delivery < 2; delivery++) {
      await names.produce(
        names.topics.windows,
        windows.map((w) => ({ key: w.deviceId, value: w })),
      );
      await names.produce(
        names.topics.sessions,
        sessions.map((s) => ({ key: s.userId, value: { ...s, channel: 'web' } })),
      );
    }
    await names.waitForStored(names.topics.windows, 4);
    await names.waitForStored(names.topics.sessions, 4);
    const windowRows = await names.query<{ device_id: string; count: number; window_id: string }>(
      'SELECT device_id, count, window_id FROM analytics.telemetry_1m ORDER BY device_id',
    );
    expect(windowRows).toEqual([
      { device_id: 'dev-1', count: 4, window_id: windows[0]!.windowId },
      { device_id: 'dev-2', count: 2, window_id: windows[1]!.windowId },
    ]);
    const sessionRows = await names.query<{
      session_id: string;
      event_count: number;
      extra: unknown;
    }>('SELECT session_id, event_count, extra FROM analytics.user_sessions ORDER BY session_id');
    expect(sessionRows).toEqual(
      sessions.map((s) => ({ session_id: s.sessionId, event_count: 3, extra: { channel: 'web' } })),
    );
  });

  it('stores an alert published twice (same and different Nats-Msg-Id) as one row', async () => {
    const alert = {
      alertId: 'dev-9:threshold.max:temperature:1764460000000',
      deviceId: 'dev-9',
      rule: 'threshold.max',
      metric: 'temperature',
      value: 42.5,
      threshold: 30,
      windowStart: 1_764_460_000_000,
      windowEnd: 1_764_460_060_000,
    };
    // Provisioning runs in the background: the stream exists once the service is ready.
    await waitFor(async () =>
      (await fetch(`${sink.baseUrl}/health/ready`)).ok ? true : undefined,
    );
    await names.publishAlert(alert);
    await names.publishAlert(alert);
    await names.publishAlert(alert, `${alert.alertId}-republished`);
    const rows = () =>
      names.query<{ alert_id: string; value: number }>(
        'SELECT alert_id, value FROM analytics.alerts',
      );
    await waitFor(async () => ((await rows()).length > 0 ? true : undefined));
    // The third publish got past JetStream's duplicate window: wait until it was acked too.
    await waitFor(async () => ((await names.alertsAckedThrough(2)) ? true : undefined));
    expect(await rows()).toEqual([{ alert_id: alert.alertId, value: 42.5 }]);
  });
});
