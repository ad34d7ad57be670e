import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { DevicePresence } from '@streamline/contracts';
import { TEST_ENV, startTestService, waitFor, type RunningTestService } from '@streamline/testing';
import { connectAsync, type MqttClient } from 'mqtt';
import { iotIngestorService } from '../src/iot-ingestor.service';
import { IngestTestSpace } from './support/ingest-test-names';

const ROOT = resolve(__dirname, '../../..');

describe('iot-ingestor: device presence in NATS KV (real Mosquitto, NATS, Kafka)', () => {
  const space = new IngestTestSpace();
  let service: RunningTestService;
  let publisher: MqttClient;

  const presenceOf = async (
    deviceId: string,
  ): Promise<{ status: number; body: DevicePresence }> => {
    const response = await fetch(`${service.baseUrl}/devices/${deviceId}/presence`);
    return { status: response.status, body: (await response.json()) as DevicePresence };
  };
  const waitForStatus = (deviceId: string, status: 'online' | 'offline') =>
    waitFor(
      async () => {
        const { body } = await presenceOf(deviceId);
        return body.status === status ? body : undefined;
      },
      { what: `${deviceId} ${status}` },
    );

  beforeAll(async () => {
    await space.createTopics();
    publisher = await connectAsync(TEST_ENV.mqttUrl, {
      clientId: `${space.id}-publisher`,
      protocolVersion: 5,
      clean: true,
    });
    // Retained before the ingestor ever subscribed: it must still learn it.
    await publisher.publishAsync(space.status('early-bird'), 'online', { qos: 1, retain: true });
    service = await startTestService(iotIngestorService, space.env());
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await service?.close();
    await space.cleanup();
  });

  it('learns retained status messages published before it subscribed', async () => {
    const presence = await waitForStatus('early-bird', 'online');
    expect(presence.deviceId).toBe('early-bird');
  });

  it('follows status messages: online, then offline, with lastSeen = receipt time', async () => {
    const before = Date.now();
    await publisher.publishAsync(space.status('dev-1'), '{"status":"online"}', {
      qos: 1,
      retain: true,
    });
    const online = await waitForStatus('dev-1', 'online');
    expect(online.lastSeen).toBeGreaterThanOrEqual(before);
    await publisher.publishAsync(space.status('dev-1'), 'offline', { qos: 1, retain: true });
    const offline = await waitForStatus('dev-1', 'offline');
    expect(offline.lastSeen).toBeGreaterThanOrEqual(online.lastSeen);
  });

  it('marks a device offline when it dies and the broker publishes its Last Will', async () => {
    // Plain node (ts-node transpiling): SIGKILL must hit the process that holds the connection,
    // not a launcher in front of it.
    const device = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register',
        'apps/iot-ingestor/test/support/device-with-will.fixture.ts',
        TEST_ENV.mqttUrl,
        `${space.id}-device-2`,
        space.status('dev-2'),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          TS_NODE_PROJECT: 'tsconfig.base.json',
          TS_NODE_TRANSPILE_ONLY: 'true',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((done) => device.once('exit', done));
    try {
      await new Promise<void>((ready, fail) => {
        device.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && ready());
        device.once('exit', (code) => fail(new Error(`device exited early (${code})`)));
      });
      await waitForStatus('dev-2', 'online');
    } finally {
      device.kill('SIGKILL');
      await exited;
    }
    const offline = await waitForStatus('dev-2', 'offline');
    expect(offline.deviceId).toBe('dev-2');
  });

  it('refreshes lastSeen from telemetry, keeping the status', async () => {
    const { body: before } = await presenceOf('dev-1');
    await publisher.publishAsync(
      space.telemetry('dev-1'),
      JSON.stringify({ ts: Date.now(), metrics: { t: 1 } }),
      { qos: 1 },
    );
    const refreshed = await waitFor(
      async () => {
        const { body } = await presenceOf('dev-1');
        return body.lastSeen > before.lastSeen ? body : undefined;
      },
      { what: 'lastSeen refreshed' },
    );
    expect(refreshed.status).toBe('offline');
    // A device first heard of through telemetry starts online.
    await publisher.publishAsync(
      space.telemetry('chatty'),
      JSON.stringify({ ts: Date.now(), metrics: { t: 1 } }),
      { qos: 1 },
    );
    expect((await waitForStatus('chatty', 'online')).deviceId).toBe('chatty');
  });

  it('lists presence, filtered by online, and answers 404 for an unknown device, 400 for bad input', async () => {
    const list = async (query: string) =>
      (
        (await (await fetch(`${service.baseUrl}/devices/presence${query}`)).json()) as {
          devices: DevicePresence[];
        }
      ).devices.map((d) => `${d.deviceId}:${d.status}`);
    expect(await list('')).toEqual([
      'chatty:online',
      'dev-1:offline',
      'dev-2:offline',
      'early-bird:online',
    ]);
    expect(await list('?online=true')).toEqual(['chatty:online', 'early-bird:online']);
    expect(await list('?online=false')).toEqual(['dev-1:offline', 'dev-2:offline']);
    expect((await fetch(`${service.baseUrl}/devices/presence?online=maybe`)).status).toBe(400);
    const unknown = await fetch(`${service.baseUrl}/devices/never-seen/presence`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'PRESENCE_NOT_FOUND' });
    expect((await fetch(`${service.baseUrl}/devices/not.an.id/presence`)).status).toBe(400);
  });

  it('documents the presence endpoints in its OpenAPI document', async () => {
    const doc = (await (await fetch(`${service.baseUrl}/docs`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/devices/presence', '/devices/{id}/presence']),
    );
  });
});
