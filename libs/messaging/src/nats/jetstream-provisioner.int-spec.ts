import {
  STREAM_SETTINGS,
  devicePresenceContract,
  nanos,
  type DevicePresence,
} from '@streamline/contracts';
import { TEST_ENV, uniqueName } from '@streamline/testing';
import { connect, type NatsConnection } from 'nats';
import { ContractKv } from './contract-kv';
import { ensureConsumer, ensureStream, provisionJetStream } from './jetstream-provisioner';
import {
  deleteStreams,
  testBucket,
  testConsumer,
  testStream,
} from './test-support/jetstream-test-names';

describe('JetStream provisioning against the real NATS server', () => {
  let nc: NatsConnection;
  const created: string[] = [];
  const name = (prefix: string): string => {
    const unique = uniqueName(prefix);
    created.push(unique);
    return unique;
  };

  beforeAll(async () => {
    nc = await connect({ servers: TEST_ENV.natsUrl });
  });

  afterAll(async () => {
    await deleteStreams(nc, created);
    await nc.close();
  });

  it('creates streams and consumers from the contract settings, and a second run changes nothing', async () => {
    const alerts = testStream(name('it-alerts'));
    const replay = testStream(name('it-replay'), STREAM_SETTINGS.DLQ_REPLAY);
    const consumer = testConsumer(alerts, 'it-sink');
    const wanted = { streams: [alerts, replay], consumers: [consumer] };

    const first = await provisionJetStream(nc, wanted);
    expect(first).toEqual({
      streams: { [alerts.name]: 'created', [replay.name]: 'created' },
      consumers: { [`${alerts.name}/it-sink`]: 'created' },
      kv: {},
    });
    const second = await provisionJetStream(nc, wanted);
    expect(second.streams).toEqual({ [alerts.name]: 'unchanged', [replay.name]: 'unchanged' });
    expect(second.consumers).toEqual({ [`${alerts.name}/it-sink`]: 'unchanged' });

    const jsm = await nc.jetstreamManager();
    const alertsInfo = await jsm.streams.info(alerts.name);
    expect(alertsInfo.config).toMatchObject({
      subjects: alerts.subjects,
      storage: 'file',
      retention: 'limits',
      max_age: STREAM_SETTINGS.ALERTS.max_age,
      duplicate_window: STREAM_SETTINGS.ALERTS.duplicate_window,
    });
    expect((await jsm.streams.info(replay.name)).config.retention).toBe('workqueue');
    expect((await jsm.consumers.info(alerts.name, 'it-sink')).config).toMatchObject({
      durable_name: 'it-sink',
      ack_policy: 'explicit',
      max_deliver: consumer.max_deliver,
      ack_wait: consumer.ack_wait,
      max_ack_pending: consumer.max_ack_pending,
    });
  });

  it('updates what the server can change in place and refuses what it cannot', async () => {
    const stream = testStream(name('it-update'));
    const jsm = await nc.jetstreamManager();
    await ensureStream(jsm, stream);
    await expect(ensureConsumer(jsm, testConsumer(stream, 'c'))).resolves.toBe('created');

    const longer = { ...stream, max_age: nanos(60 * 60_000), duplicate_window: nanos(30_000) };
    await expect(ensureStream(jsm, longer)).resolves.toBe('updated');
    expect((await jsm.streams.info(stream.name)).config.max_age).toBe(longer.max_age);

    await expect(ensureConsumer(jsm, testConsumer(stream, 'c', { max_deliver: 9 }))).resolves.toBe(
      'updated',
    );
    expect((await jsm.consumers.info(stream.name, 'c')).config.max_deliver).toBe(9);

    await expect(ensureStream(jsm, { ...stream, retention: 'workqueue' })).rejects.toMatchObject({
      code: 'JETSTREAM_SETTINGS_CONFLICT',
      retryable: false,
    });
    await expect(
      ensureConsumer(jsm, testConsumer(stream, 'c', { filter_subject: `${stream.name}.other` })),
    ).rejects.toMatchObject({ code: 'JETSTREAM_SETTINGS_CONFLICT' });
  });

  it('provisions the device-presence KV bucket and stores presence under the device id', async () => {
    const bucket = testBucket(name('it-presence'));
    created.push(`KV_${bucket.bucket}`);
    const { store, action } = await ContractKv.open(nc, bucket, devicePresenceContract);
    expect(action).toBe('created');

    const online: DevicePresence = {
      deviceId: 'dev-1',
      status: 'online',
      lastSeen: 1_700_000_000_000,
    };
    await store.put('dev-1', online);
    await store.put('dev-1', { ...online, status: 'offline', lastSeen: 1_700_000_001_000 });
    expect((await store.get('dev-1'))?.value).toEqual({
      deviceId: 'dev-1',
      status: 'offline',
      lastSeen: 1_700_000_001_000,
    });
    expect(await store.get('dev-unknown')).toBeUndefined();

    // history 1: only the latest presence is kept.
    const history = await store.kv.history({ key: 'dev-1' });
    const revisions: number[] = [];
    for await (const entry of history) revisions.push(entry.revision);
    expect(revisions).toHaveLength(1);

    await expect(
      store.put('dev-2', { deviceId: 'dev-2', status: 'sleeping' } as unknown as DevicePresence),
    ).rejects.toMatchObject({ code: 'CONTRACT_VIOLATION' });
    expect(await store.get('dev-2')).toBeUndefined();

    const reopened = await ContractKv.open(nc, bucket, devicePresenceContract);
    expect(reopened.action).toBe('unchanged');
    expect((await reopened.store.get('dev-1'))?.value.status).toBe('offline');
  });
});
