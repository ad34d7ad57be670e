import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import type { MqttClient } from 'mqtt';
import { NonRetryableError, RetryableError } from '../errors/processing-error';
import type { MqttMessage } from './mqtt-subscriber';
import { purgeSession, testPublisher, testSubscriber } from './test-support/mqtt-test-clients';

const url = TEST_ENV.mqttUrl;
const WORKSPACE = resolve(__dirname, '../../../..');
const FIXTURE = 'libs/messaging/src/mqtt/test-support/hanging-subscriber.fixture.ts';

describe('MqttSubscriber against the real Mosquitto', () => {
  const prefix = uniqueName('it-mqtt');
  const clientIds: string[] = [];
  let publisher: MqttClient;

  const clientId = (name: string): string => {
    const id = `${prefix}-${name}`;
    clientIds.push(id);
    return id;
  };

  beforeAll(async () => {
    publisher = await testPublisher(url, `${prefix}-pub`);
  });

  afterAll(async () => {
    await publisher.endAsync();
    for (const id of clientIds) await purgeSession(url, id);
  });

  /** Proves the broker holds nothing unacknowledged for the session: the next message is `marker`. */
  async function expectOnlyMarkerNext(id: string, topic: string): Promise<void> {
    await publisher.publishAsync(topic, 'marker', { qos: 1 });
    const received: MqttMessage[] = [];
    const sub = testSubscriber({ url, clientId: id });
    sub.subscriber.add({ filter: topic, qos: 1, handler: async (m) => void received.push(m) });
    await sub.run();
    await waitFor(() => (received.length > 0 ? true : undefined), { what: 'marker' });
    await sub.close();
    expect(received.map((m) => m.payload.toString())).toEqual(['marker']);
  }

  it('sends the PUBACK of a QoS 1 message only after the handler resolved', async () => {
    const topic = `${prefix}/ack-after/t`;
    const events: string[] = [];
    let release: () => void = () => undefined;
    const sub = testSubscriber({ url, clientId: clientId('ack-after') });
    sub.client.on('packetsend', (packet) => {
      if (packet.cmd === 'puback') events.push('puback');
    });
    sub.subscriber.add({
      filter: topic,
      qos: 1,
      handler: async () => {
        events.push('handler-started');
        await new Promise<void>((resolve) => (release = resolve));
        events.push('handler-resolved');
      },
    });
    await sub.run();
    await publisher.publishAsync(topic, 'one', { qos: 1 });
    await waitFor(() => (events.includes('handler-started') ? true : undefined));
    // mqtt.js emits `packetsend` synchronously when it writes the PUBACK, so an early ack would
    // be in `events` already. (No round trip on the subscriber's own connection: while a handler
    // runs, that client reads no packet at all, not even the PUBACK of its own publish.)
    await publisher.publishAsync(`${topic}/elsewhere`, 'x', { qos: 1 });
    expect(events).toEqual(['handler-started']);

    release();
    await waitFor(() => (events.includes('puback') ? true : undefined), { what: 'PUBACK' });
    expect(events).toEqual(['handler-started', 'handler-resolved', 'puback']);
    await sub.close();
  });

  it('does not ack a retryable failure: the broker re-sends it (dup) and the retry acks it', async () => {
    const topic = `${prefix}/retry/t`;
    const id = clientId('retry');
    const seen: MqttMessage[] = [];
    const sub = testSubscriber({ url, clientId: id });
    sub.subscriber.add({
      filter: topic,
      qos: 1,
      handler: async (message) => {
        seen.push(message);
        if (seen.length === 1) throw new RetryableError('DOWNSTREAM_DOWN', 'try again');
      },
    });
    await sub.run();
    await publisher.publishAsync(topic, 'payload-1', { qos: 1 });
    await waitFor(() => (seen.length >= 2 ? true : undefined), { what: 'redelivery' });
    await sub.close();

    expect(seen.map((m) => [m.payload.toString(), m.dup])).toEqual([
      ['payload-1', false],
      ['payload-1', true],
    ]);
    expect(seen[1]?.messageId).toBe(seen[0]?.messageId);
    await expectOnlyMarkerNext(id, topic);
  });

  it('dead-letters a non-retryable failure, then acks it', async () => {
    const topic = `${prefix}/dead/t`;
    const id = clientId('dead');
    const letters: Array<{ payload: string; code: string; retryable: boolean }> = [];
    const sub = testSubscriber({
      url,
      clientId: id,
      subscriber: {
        onDeadLetter: async (message, failure) => {
          letters.push({ payload: message.payload.toString(), ...failure });
        },
      },
    });
    sub.subscriber.add({
      filter: topic,
      qos: 1,
      handler: async () => {
        throw new NonRetryableError('BAD_PAYLOAD', 'cannot parse');
      },
    });
    await sub.run();
    await publisher.publishAsync(topic, 'garbage', { qos: 1 });
    await waitFor(() => (letters.length > 0 ? true : undefined), { what: 'dead letter' });
    await sub.close();

    expect(letters).toEqual([
      expect.objectContaining({ payload: 'garbage', code: 'BAD_PAYLOAD', retryable: false }),
    ]);
    await expectOnlyMarkerNext(id, topic);
  });

  it('redelivers to a restarted process a message whose handler was killed (kill -9) before resolving', async () => {
    const topic = `${prefix}/kill/t`;
    const id = clientId('kill');
    const child = spawn(
      'node_modules/.bin/tsx',
      ['--tsconfig', 'tsconfig.base.json', FIXTURE, url, id, topic],
      // Its own process group: tsx runs the script in a child process, and kill -9 must hit both.
      { cwd: WORKSPACE, stdio: ['pipe', 'pipe', 'pipe'], detached: true },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const events = eventsOf(child);
      await waitFor(() => events.find((e) => e['event'] === 'ready'), {
        what: 'child subscribed',
        timeoutMs: 30_000,
      });
      await publisher.publishAsync(topic, 'in-flight', { qos: 1 });
      await waitFor(() => events.find((e) => e['event'] === 'received'), {
        what: 'child received',
      });
    } finally {
      killGroup(child);
    }
    await exited;

    const seen: MqttMessage[] = [];
    const restarted = testSubscriber({ url, clientId: id });
    restarted.subscriber.add({ filter: topic, qos: 1, handler: async (m) => void seen.push(m) });
    await restarted.run();
    await waitFor(() => (seen.length > 0 ? true : undefined), { what: 'redelivery after kill' });
    await restarted.close();

    expect(seen.map((m) => [m.payload.toString(), m.dup])).toEqual([['in-flight', true]]);
    await expectOnlyMarkerNext(id, topic);
  });

  it('spreads a shared subscription over the clients of its group, each message once', async () => {
    const filter = `$share/${prefix}-group/${prefix}/shared/+`;
    const received = new Map<string, string[]>([
      ['a', []],
      ['b', []],
    ]);
    const subs = ['a', 'b'].map((name) => {
      const sub = testSubscriber({ url, clientId: clientId(`shared-${name}`) });
      sub.subscriber.add({
        filter,
        qos: 1,
        handler: async (m) => void received.get(name)?.push(m.payload.toString()),
      });
      return sub;
    });
    for (const sub of subs) await sub.run();
    const payloads = Array.from({ length: 20 }, (_, i) => `m-${i}`);
    for (const payload of payloads) {
      await publisher.publishAsync(`${prefix}/shared/device-${payload}`, payload, { qos: 1 });
    }
    const all = (): string[] => [...received.values()].flat();
    await waitFor(() => (all().length >= payloads.length ? true : undefined), { what: 'all' });
    for (const sub of subs) await sub.close();

    expect([...all()].sort()).toEqual([...payloads].sort());
    expect(received.get('a')?.length).toBeGreaterThan(0);
    expect(received.get('b')?.length).toBeGreaterThan(0);
  });

  it('works on MQTT 3.1.1 (protocolVersion 4): manual ack and redelivery on a persistent session', async () => {
    const topic = `${prefix}/v311/t`;
    const seen: MqttMessage[] = [];
    const sub = testSubscriber({ url, clientId: clientId('v311'), protocolVersion: 4 });
    sub.subscriber.add({
      filter: topic,
      qos: 1,
      handler: async (message) => {
        seen.push(message);
        if (seen.length === 1) throw new RetryableError('DOWNSTREAM_DOWN', 'try again');
      },
    });
    await sub.run();
    expect(sub.client.options.protocolVersion).toBe(4);
    await publisher.publishAsync(topic, 'old-protocol', { qos: 1 });
    await waitFor(() => (seen.length >= 2 ? true : undefined), { what: 'v3.1.1 redelivery' });
    await sub.close();
    expect(seen.map((m) => [m.payload.toString(), m.dup])).toEqual([
      ['old-protocol', false],
      ['old-protocol', true],
    ]);
  });

  it('stop() lets the running handler finish and ack, and hands out nothing more', async () => {
    const topic = `${prefix}/stop/t`;
    const id = clientId('stop');
    const handled: string[] = [];
    let release: () => void = () => undefined;
    let firstRunning = false;
    const sub = testSubscriber({ url, clientId: id });
    sub.subscriber.add({
      filter: topic,
      qos: 1,
      handler: async (m) => {
        if (m.payload.toString() === 'first') {
          firstRunning = true;
          await new Promise<void>((r) => (release = r));
        }
        handled.push(m.payload.toString());
      },
    });
    await sub.run();
    await publisher.publishAsync(topic, 'first', { qos: 1 });
    await publisher.publishAsync(topic, 'second', { qos: 1 });
    await waitFor(() => (firstRunning ? true : undefined), { what: 'first running' });
    const stopped = sub.subscriber.stop();
    release();
    await stopped;
    await sub.client.endAsync();
    expect(handled).toEqual(['first']);

    // 'first' was acked before the stop completed; 'second' waits in the session.
    const next: string[] = [];
    const again = testSubscriber({ url, clientId: id });
    again.subscriber.add({
      filter: topic,
      qos: 1,
      handler: async (m) => void next.push(m.payload.toString()),
    });
    await again.run();
    await waitFor(() => (next.length > 0 ? true : undefined), { what: 'second after restart' });
    await again.close();
    expect(next).toEqual(['second']);
  });
});

/** Collects the JSON lines a fixture prints on stdout. */
function eventsOf(child: ChildProcessWithoutNullStreams): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      events.push({ event: 'unparsed', line });
    }
  });
  return events;
}

/** SIGKILLs the child and everything in its process group (tsx and the script it runs). */
function killGroup(child: ChildProcessWithoutNullStreams): void {
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
}
