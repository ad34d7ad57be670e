import { EventEmitter } from 'node:events';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { NonRetryableError, RetryableError } from '../errors/processing-error';
import { silentLogger } from '../logging/messaging-logger';
import { MqttSubscriber, type MqttDeadLetterHandler, type MqttHandler } from './mqtt-subscriber';

/** Just what MqttSubscriber touches of an mqtt.js client. */
function fakeClient() {
  const client = Object.assign(new EventEmitter(), {
    connected: true,
    options: { reconnectPeriod: 500 },
    stream: { destroy: jest.fn() },
    subscribeAsync: jest.fn(async (map: Record<string, { qos: number }>) =>
      Object.entries(map).map(([topic, { qos }]) => ({ topic, qos })),
    ),
    handleMessage: (_packet: IPublishPacket, callback: () => void) => callback(),
  });
  return client as typeof client & MqttClient;
}

const packet = (payload: string, messageId = 1, qos: 0 | 1 = 1): IPublishPacket => ({
  cmd: 'publish',
  topic: 'sensors/dev-1/telemetry',
  payload: Buffer.from(payload),
  qos,
  dup: false,
  retain: false,
  messageId,
});

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup(handler: MqttHandler, onDeadLetter?: MqttDeadLetterHandler, maxAttempts = 3) {
  const client = fakeClient();
  const subscriber = new MqttSubscriber(client, {
    logger: silentLogger,
    maxAttempts,
    retryBackoff: { initialMs: 100, maxMs: 1_000 },
    ...(onDeadLetter ? { onDeadLetter } : {}),
  });
  subscriber.add({ filter: '$share/g/sensors/+/telemetry', qos: 1, handler });
  const acks: string[] = [];
  const deliver = (p: IPublishPacket) =>
    client.handleMessage(p, () => acks.push(p.payload.toString()));
  return { client, subscriber, acks, deliver };
}

describe('MqttSubscriber', () => {
  it('holds messages until start(), and acks each only after its handler resolved', async () => {
    let release: () => void = () => undefined;
    const { subscriber, acks, deliver } = setup(
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    deliver(packet('one'));
    await flush();
    expect(acks).toEqual([]);
    await subscriber.start();
    await flush();
    expect(acks).toEqual([]);
    release();
    await flush();
    expect(acks).toEqual(['one']);
  });

  it('subscribes at start and again only when a session was not resumed', async () => {
    const { client, subscriber } = setup(async () => undefined);
    await subscriber.start();
    await subscriber.whenSubscribed();
    expect(client.subscribeAsync).toHaveBeenCalledTimes(1);
    expect(client.subscribeAsync).toHaveBeenCalledWith({
      '$share/g/sensors/+/telemetry': { qos: 1 },
    });
    client.emit('connect', { sessionPresent: true });
    client.emit('connect', { sessionPresent: false });
    await flush();
    expect(client.subscribeAsync).toHaveBeenCalledTimes(2);
  });

  it('does not ack a retryable failure: it drops the connection so the broker re-sends it', async () => {
    const { client, subscriber, acks, deliver } = setup(async () => {
      throw new RetryableError('DOWN', 'kafka unavailable');
    });
    await subscriber.start();
    deliver(packet('one'));
    await flush();
    expect(acks).toEqual([]);
    expect(client.stream.destroy).toHaveBeenCalledTimes(1);
    expect(client.options.reconnectPeriod).toBe(100);
    // The re-sent copy fails again: the next reconnect waits longer.
    client.emit('close');
    client.emit('connect', { sessionPresent: true });
    deliver({ ...packet('one'), dup: true });
    await flush();
    expect(client.options.reconnectPeriod).toBe(200);
  });

  it('dead-letters after maxAttempts retryable failures, then acks', async () => {
    const letters: string[] = [];
    const { client, subscriber, acks, deliver } = setup(
      async () => {
        throw new RetryableError('DOWN', 'down');
      },
      async (message, failure) =>
        void letters.push(`${message.payload.toString()}:${failure.code}`),
    );
    await subscriber.start();
    for (let attempt = 1; attempt <= 3; attempt++) {
      deliver(packet('one', 9));
      await flush();
      if (attempt < 3) {
        client.emit('close');
        client.emit('connect', { sessionPresent: true });
      }
    }
    expect(letters).toEqual(['one:DOWN']);
    expect(acks).toEqual(['one']);
    expect(client.stream.destroy).toHaveBeenCalledTimes(2);
  });

  it('dead-letters a non-retryable failure at once and acks; if dead-lettering fails, no ack', async () => {
    let sinkUp = true;
    const { client, subscriber, acks, deliver } = setup(
      async () => {
        throw new NonRetryableError('BAD', 'bad payload');
      },
      async () => {
        if (!sinkUp) throw new Error('kafka down');
      },
    );
    await subscriber.start();
    deliver(packet('one', 1));
    await flush();
    expect(acks).toEqual(['one']);

    sinkUp = false;
    deliver(packet('two', 2));
    await flush();
    expect(acks).toEqual(['one']);
    expect(client.stream.destroy).toHaveBeenCalledTimes(1);
  });

  it('never acks on a later connection than the one the message came on', async () => {
    let release: () => void = () => undefined;
    const { client, subscriber, acks, deliver } = setup(
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    await subscriber.start();
    deliver(packet('one'));
    await flush();
    client.emit('close');
    client.emit('connect', { sessionPresent: true });
    release();
    await flush();
    expect(acks).toEqual([]);
  });

  it('acks a message that matches no handler (a filter left in the session by an older version)', async () => {
    const { subscriber, acks, deliver } = setup(async () => undefined);
    await subscriber.start();
    deliver({ ...packet('stray'), topic: 'other/topic' });
    await flush();
    expect(acks).toEqual(['stray']);
  });

  it('stop() waits for the running handler and hands out nothing after it', async () => {
    let release: () => void = () => undefined;
    const handled: string[] = [];
    const { subscriber, acks, deliver } = setup(async (m) => {
      if (m.payload.toString() === 'one') await new Promise<void>((r) => (release = r));
      handled.push(m.payload.toString());
    });
    await subscriber.start();
    deliver(packet('one', 1));
    await flush();
    let stopped = false;
    const stopping = subscriber.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    release();
    await stopping;
    deliver(packet('two', 2));
    await flush();
    expect(handled).toEqual(['one']);
    expect(acks).toEqual(['one']);
  });

  it('refuses an invalid filter', () => {
    const { subscriber } = setup(async () => undefined);
    expect(() =>
      subscriber.add({ filter: 'a/#/b', qos: 1, handler: async () => undefined }),
    ).toThrow(/invalid MQTT topic filter/);
  });
});
