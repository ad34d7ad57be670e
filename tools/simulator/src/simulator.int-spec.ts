import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceClientOptions } from './device-fleet';
import { startSimulator } from './simulator';
import { DEFAULT_OPTIONS, type SimulatorOptions } from './simulator-options';
import { deviceIdFor, type TelemetryReading } from './telemetry-generator';
import {
  isEventTime,
  telemetryPayloadProblems,
  userEventProblems,
} from './test-support/contract-checks';

/** The real Mosquitto of this machine. */
const MQTT_URL = process.env['MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';
const WORKSPACE = resolve(__dirname, '../../..');

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
const uniquePrefix = (): string =>
  `simit-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

async function waitFor(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A separate MQTT client that records what arrives for the devices of one prefix. */
async function watch(
  prefix: string,
  filters: string[],
): Promise<{ messages: Received[]; client: MqttClient }> {
  const client = await mqtt.connectAsync(MQTT_URL, {
    clientId: `watch-${prefix}-${randomBytes(3).toString('hex')}`,
    protocolVersion: 5,
  });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    if (topic.startsWith(`sensors/${prefix}-`))
      messages.push({ topic, payload: payload.toString(), retain: packet.retain });
  });
  await client.subscribeAsync(filters, { qos: 1 });
  return { messages, client };
}

/** What a fresh subscriber gets as the retained status of `deviceId`. */
async function retainedStatus(deviceId: string): Promise<Record<string, unknown>> {
  const { messages, client } = await watch(deviceId.replace(/-\d{4}$/, ''), [
    `sensors/${deviceId}/status`,
  ]);
  try {
    await waitFor(`retained status of ${deviceId}`, () => messages.length > 0, 5_000);
    const [first] = messages;
    expect(first?.retain).toBe(true);
    return JSON.parse(first?.payload ?? 'null') as Record<string, unknown>;
  } finally {
    await client.endAsync();
  }
}

/** Removes the retained statuses a test left on the shared broker. */
async function clearRetained(deviceIds: string[]): Promise<void> {
  const client = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5 });
  await Promise.all(
    deviceIds.map((id) =>
      client.publishAsync(`sensors/${id}/status`, '', { qos: 1, retain: true }),
    ),
  );
  await client.endAsync();
}

interface Producer {
  url: string;
  bodies: unknown[];
  close(): Promise<void>;
}

/** A stand-in for the event-producer: records each POST /events body and answers `status`. */
async function startProducer(status = 201): Promise<Producer> {
  const bodies: unknown[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const ok =
        request.method === 'POST' &&
        request.url === '/events' &&
        request.headers['content-type'] === 'application/json';
      if (ok) bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
      response.writeHead(ok ? status : 418, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

const topicDevice = (topic: string): string => topic.split('/')[1] ?? '';

describe('simulator against the real Mosquitto', () => {
  let prefix: string;
  let producer: Producer;
  let watcher: { messages: Received[]; client: MqttClient };

  beforeEach(async () => {
    prefix = uniquePrefix();
    producer = await startProducer();
    watcher = await watch(prefix, ['sensors/+/telemetry', 'sensors/+/status']);
  });

  afterEach(async () => {
    await watcher.client.endAsync();
    await producer.close();
    await clearRetained(Array.from({ length: 4 }, (_, i) => deviceIdFor(prefix, i)));
  });

  const run = (overrides: Partial<SimulatorOptions>) =>
    startSimulator({
      ...DEFAULT_OPTIONS,
      mqttUrl: MQTT_URL,
      producerUrl: producer.url,
      devicePrefix: prefix,
      statsInterval: 60,
      ...overrides,
    });

  it('publishes acknowledged readings with increasing seq, retained online/offline status, and POSTs valid events', async () => {
    const deviceIds = Array.from({ length: 4 }, (_, i) => deviceIdFor(prefix, i));
    const simulator = await run({ devices: 4, rate: 100, users: 10, eventsRate: 20 });

    // Online, and retained: a subscriber that comes later still learns it.
    expect(await retainedStatus(deviceIds[0]!)).toMatchObject({
      deviceId: deviceIds[0],
      status: 'online',
    });

    await sleep(2_000);
    const stats = await simulator.stop();

    const telemetry = () => watcher.messages.filter((m) => m.topic.endsWith('/telemetry'));
    await waitFor(
      'every acknowledged reading',
      () => telemetry().length >= stats.readingsPublished,
    );
    // How many depends on the machine's load; the rate itself is proved by the rate limiter's unit tests.
    expect(stats.readingsPublished).toBeGreaterThan(0);
    expect(telemetry()).toHaveLength(stats.readingsPublished);
    expect(stats).toMatchObject({
      final: true,
      mqttErrors: 0,
      readingsSkipped: 0,
      invalidPublished: 0,
    });

    const seqs = new Map<string, number[]>();
    const problems: string[] = [];
    for (const message of telemetry()) {
      const deviceId = topicDevice(message.topic);
      problems.push(...telemetryPayloadProblems(message.payload, deviceId));
      const reading = JSON.parse(message.payload) as TelemetryReading;
      seqs.set(deviceId, [...(seqs.get(deviceId) ?? []), reading.seq]);
      if (typeof reading.ts !== (reading.seq % 2 === 1 ? 'string' : 'number'))
        problems.push(`ts type at ${reading.seq}`);
    }
    expect(problems).toEqual([]);
    expect([...seqs.keys()].sort()).toEqual(deviceIds);
    for (const list of seqs.values()) expect(list).toEqual(list.map((_, i) => i + 1));

    // Offline on stop: a clean one (with ts, unlike the last will), after the online one, and retained.
    await waitFor('offline statuses', () =>
      deviceIds.every((id) =>
        watcher.messages.some(
          (m) => m.topic === `sensors/${id}/status` && m.payload.includes('"offline"'),
        ),
      ),
    );
    for (const deviceId of deviceIds) {
      const statuses = watcher.messages
        .filter((m) => m.topic === `sensors/${deviceId}/status`)
        .map((m) => JSON.parse(m.payload) as Record<string, unknown>);
      expect(statuses[0]).toMatchObject({ deviceId, status: 'online' });
      expect(statuses.at(-1)).toMatchObject({ deviceId, status: 'offline' });
      expect(isEventTime(statuses.at(-1)?.['ts'])).toBe(true);
    }
    expect(await retainedStatus(deviceIds[3]!)).toMatchObject({
      deviceId: deviceIds[3],
      status: 'offline',
    });

    // Users: single events of valid shape, every one answered 201 and counted.
    expect(producer.bodies.length).toBeGreaterThan(0);
    expect(producer.bodies.every((body) => !Array.isArray(body))).toBe(true);
    expect(producer.bodies.flatMap((body) => userEventProblems(body))).toEqual([]);
    expect(stats).toMatchObject({
      eventsAccepted: producer.bodies.length,
      eventsRejected: 0,
      eventsFailed: 0,
    });
  });

  it('sends gateway arrays and POST batches with the requested share of invalid payloads', async () => {
    const simulator = await run({
      devices: 2,
      rate: 100,
      batch: 5,
      users: 10,
      eventsRate: 50,
      httpBatch: 5,
      badRatio: 0.2,
    });
    await sleep(2_000);
    const stats = await simulator.stop();

    const telemetry = () => watcher.messages.filter((m) => m.topic.endsWith('/telemetry'));
    await waitFor(
      'every acknowledged message',
      () => telemetry().length >= stats.readingsPublished / 5 + stats.invalidPublished,
    );
    const invalid = telemetry().filter(
      (m) => telemetryPayloadProblems(m.payload, topicDevice(m.topic)).length > 0,
    );
    const valid = telemetry().filter((m) => !invalid.includes(m));
    expect(invalid).toHaveLength(stats.invalidPublished);
    expect(valid.length * 5).toBe(stats.readingsPublished);
    expect(Math.abs(invalid.length - telemetry().length * 0.2)).toBeLessThan(1);
    expect(stats.invalidPublished).toBeGreaterThan(0);
    const seqs = new Map<string, number[]>();
    for (const message of valid) {
      const readings = JSON.parse(message.payload) as TelemetryReading[];
      expect(readings).toHaveLength(5);
      const deviceId = topicDevice(message.topic);
      seqs.set(deviceId, [...(seqs.get(deviceId) ?? []), ...readings.map((r) => r.seq)]);
    }
    expect(seqs.size).toBe(2);
    for (const list of seqs.values()) expect(list).toEqual(list.map((_, i) => i + 1));

    const events = producer.bodies.flatMap((body) => {
      expect(Array.isArray(body) && body.length === 5).toBe(true);
      return body as unknown[];
    });
    const brokenEvents = events.filter((event) => userEventProblems(event).length > 0);
    expect(brokenEvents).toHaveLength(stats.invalidEventsSent);
    expect(Math.abs(brokenEvents.length - events.length * 0.2)).toBeLessThan(1);
    expect(events.length).toBeGreaterThan(0);
    expect(stats.eventsAccepted).toBe(events.length);
  });

  it('leaves a retained offline status as last will when a device connection dies', async () => {
    const deviceId = deviceIdFor(prefix, 0);
    const client = await mqtt.connectAsync(MQTT_URL, {
      ...deviceClientOptions(deviceId),
      reconnectPeriod: 0,
    });
    client.stream.destroy();
    await waitFor('the last will', () =>
      watcher.messages.some((m) => m.topic === `sensors/${deviceId}/status`),
    );
    await client.endAsync(true);
    const will = watcher.messages.find((m) => m.topic === `sensors/${deviceId}/status`);
    expect(JSON.parse(will?.payload ?? 'null')).toEqual({ deviceId, status: 'offline' });
    expect(await retainedStatus(deviceId)).toEqual({ deviceId, status: 'offline' });
  });
});

describe('simulator command line', () => {
  const tsx = resolve(WORKSPACE, 'node_modules/.bin/tsx');
  const main = 'tools/simulator/src/main.ts';

  function cli(args: string[], env: Record<string, string> = {}) {
    const child = spawn(tsx, [main, ...args], { cwd: WORKSPACE, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  }

  const statsLines = (stdout: string): Record<string, unknown>[] =>
    stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('prints JSON stats lines, and on SIGINT sends offline statuses, a final line and exits 0', async () => {
    const prefix = uniquePrefix();
    const deviceIds = [deviceIdFor(prefix, 0), deviceIdFor(prefix, 1)];
    const watcher = await watch(prefix, ['sensors/+/status']);
    const producer = await startProducer(404);
    try {
      const run = cli(
        [
          '--devices',
          '2',
          '--rate',
          '20',
          '--users',
          '3',
          '--events-rate',
          '10',
          '--stats-interval',
          '0.3',
          '--device-prefix',
          prefix,
        ],
        {
          MQTT_URL,
          EVENT_PRODUCER_URL: producer.url,
        },
      );
      await waitFor('two stats lines', () => statsLines(run.stdout()).length >= 2, 20_000);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);

      const lines = statsLines(run.stdout());
      expect(lines.slice(0, -1).every((line) => line['final'] === false)).toBe(true);
      const last = lines.at(-1);
      expect(last).toMatchObject({ final: true, mqttErrors: 0, eventsAccepted: 0 });
      expect(last?.['readingsPublished']).toEqual(expect.any(Number));
      expect(Number(last?.['readingsPublished'])).toBeGreaterThan(0);
      // The endpoint is missing today (404): counted as rejected, not a crash.
      expect(Number(last?.['eventsRejected'])).toBeGreaterThan(0);
      expect(Number(last?.['eventsRejected'])).toBe(producer.bodies.length);
      expect(run.stderr()).toContain('answered 404');
      await waitFor('offline statuses', () =>
        deviceIds.every((id) =>
          watcher.messages.some(
            (m) => m.topic === `sensors/${id}/status` && m.payload.includes('"offline"'),
          ),
        ),
      );
    } finally {
      await watcher.client.endAsync();
      await producer.close();
      await clearRetained(deviceIds);
    }
  });

  it('stops by itself after --duration and exits 0', async () => {
    const run = cli([
      '--devices',
      '0',
      '--users',
      '0',
      '--duration',
      '0.5',
      '--stats-interval',
      '10',
    ]);
    expect(await run.exited).toBe(0);
    expect(statsLines(run.stdout())).toEqual([expect.objectContaining({ final: true })]);
  });

  it('exits 2 with a message naming the bad option', async () => {
    const flag = cli(['--batch', '0']);
    expect(await flag.exited).toBe(2);
    expect(flag.stderr()).toContain('--batch must be at least 1');
    expect(flag.stdout()).toBe('');
    const variable = cli([], { MQTT_URL: 'http://not-mqtt' });
    expect(await variable.exited).toBe(2);
    expect(variable.stderr()).toContain('MQTT_URL (--mqtt-url) must use one of');
  });
});
