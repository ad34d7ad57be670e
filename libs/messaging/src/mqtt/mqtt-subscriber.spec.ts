import { EventEmitter } from 'node:events';
import type { IPublishPacket, MqttClient, Packet } from 'mqtt';
import { NonRetryableError, RetryableError } from '../errors/processing-error';
import { silentLogger } from '../logging/messaging-logger';
import { MqttSubscriber, type MqttDeadLetterHandler, type MqttHandler } from './mqtt-subscriber';

/** Just what MqttSubscriber touches of an mqtt.js client; PUBACKs written go to `pubacks`. */
function fakeClient() {
  const pubacks: number[] = [];
  const client = Object.assign(new EventEmitter(), {
    connected: true,
    options: { reconnectPeriod: 500 },
    stream: { destroy: jest.fn() },
    pubacks,
    subscribeAsync: jest.fn(async (map: Record<string, { qos: number }>) =>
      Object.entries(map).map(([topic, { qos }]) => ({ topic, qos })),
    ),
    handleMessage: (_packet: IPublishPacket, callback: (error?: Error) => void) => callback(),
    _sendPacket: (sent: Packet) => {
      if (sent.cmd === 'puback' && sent.messageId !== undefined) pubacks.push(sent.messageId);
    },
  });
  // Each connection has its own stream (what the subscriber tells connections apart by).
  client.on('close', () => (client.stream = { destroy: client.stream.destroy }));
  // mqtt.js declares `_sendPacket` private: the fake's public one must not be intersected with it.
  return client as unknown as Omit<typeof client, '_sendPacket'> & MqttClient;
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
  const payloads = new Map<number, string>();
  const deliver = (p: IPublishPacket) => {
    payloads.set(p.messageId ?? 0, p.payload.toString());
    client.handleMessage(p, (error) => {
      // mqtt.js acks itself when called without an error: the subscriber must never let it.
      if (error === undefined) throw new Error('mqtt.js would have acked here');
    });
  };
  const acks = {
    get list() {
      return client.pubacks.map((id) => payloads.get(id));
    },
  };
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
    expect(acks.list).toEqual([]);
    await subscriber.start();
    await flush();
    expect(acks.list).toEqual([]);
    release();
    await flush();
    expect(acks.list).toEqual(['one']);
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
    expect(acks.list).toEqual([]);
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
    expect(acks.list).toEqual(['one']);
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
    expect(acks.list).toEqual(['one']);

    sinkUp = false;
    deliver(packet('two', 2));
    await flush();
    expect(acks.list).toEqual(['one']);
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
    expect(acks.list).toEqual([]);
  });

  it('acks a message of a resumed session that arrived before mqtt.js emitted `connect`', async () => {
    const { client, subscriber, acks, deliver } = setup(async () => undefined);
    await subscriber.start();
    client.emit('close');
    // mqtt.js emits `connect` only once its outgoing store is flushed; the broker is faster.
    deliver(packet('early', 7));
    client.emit('connect', { sessionPresent: true });
    await flush();
    expect(acks.list).toEqual(['early']);
  });

  it('acks a message that matches no handler (a filter left in the session by an older version)', async () => {
    const { subscriber, acks, deliver } = setup(async () => undefined);
    await subscriber.start();
    deliver({ ...packet('stray'), topic: 'other/topic' });
    await flush();
    expect(acks.list).toEqual(['stray']);
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
    expect(acks.list).toEqual(['one']);
  });

  it('refuses an invalid filter', () => {
    const { subscriber } = setup(async () => undefined);
    expect(() =>
      subscriber.add({ filter: 'a/#/b', qos: 1, handler: async () => undefined }),
    ).toThrow(/invalid MQTT topic filter/);
  });
});
