import { EventEmitter } from 'node:events';
import { silentLogger } from '../logging/messaging-logger';
import type { MqttMessage } from './mqtt-message';
import type { IPublishPacket, MqttClient, Packet } from 'mqtt';
import { MqttSubscriber } from './mqtt-subscriber';

/** The parts of mqtt.js' client the subscriber touches, recording PUBACKs and reads. */
class FakeClient extends EventEmitter {
  connected = true;
  options: Record<string, unknown> = { properties: { receiveMaximum: 2 } };
  readonly pubacks: number[] = [];
  readonly subscribed: string[] = [];
  readonly unsubscribed: string[] = [];
  /** How many times mqtt.js was told to read the next packet. */
  reads = 0;
  destroyed = 0;
  stream = { destroy: () => void (this.destroyed += 1) };
  handleMessage: (packet: IPublishPacket, callback: (error?: Error) => void) => void = () =>
    undefined;

  _sendPacket(packet: Packet): void {
    if (packet.cmd === 'puback' && packet.messageId !== undefined)
      this.pubacks.push(packet.messageId);
  }

  async subscribeAsync(
    map: Record<string, unknown>,
  ): Promise<Array<{ topic: string; qos: number }>> {
    this.subscribed.push(...Object.keys(map));
    return Object.keys(map).map((topic) => ({ topic, qos: 1 }));
  }

  async unsubscribeAsync(filters: string[]): Promise<undefined> {
    this.unsubscribed.push(...filters);
    return undefined;
  }

  deliver(messageId: number, topic = 'sensors/d/telemetry', qos: 0 | 1 = 1): void {
    const packet = {
      cmd: 'publish',
      messageId,
      topic,
      payload: Buffer.from(String(messageId)),
      qos,
      retain: false,
      dup: false,
    } as IPublishPacket;
    this.handleMessage(packet, (error) => {
      // The subscriber must never let mqtt.js send its own PUBACK.
      if (error === undefined) throw new Error('mqtt.js would have acked here');
      this.reads += 1;
    });
  }

  dropConnection(): void {
    this.connected = false;
    this.emit('close');
    // The next connection has a stream of its own.
    this.stream = { destroy: () => void (this.destroyed += 1) };
  }
}

interface Gate {
  release(): void;
  fail(error: Error): void;
  signal?: AbortSignal;
}

function setup(maxInFlight = 8) {
  const client = new FakeClient();
  const gates = new Map<number, Gate>();
  const seen: MqttMessage[] = [];
  const subscriber = new MqttSubscriber(client as unknown as MqttClient, {
    logger: silentLogger,
    maxInFlight,
    retryBackoff: { initialMs: 10, maxMs: 10 },
  });
  subscriber.add({
    filter: 'sensors/+/telemetry',
    qos: 1,
    handler: (message, signal) =>
      new Promise<void>((resolve, reject) => {
        seen.push(message);
        const gate: Gate = { release: resolve, fail: reject, signal };
        signal.addEventListener('abort', () => reject(new Error('aborted')));
        gates.set(Number(message.payload.toString()), gate);
      }),
  });
  return { client, gates, seen, subscriber };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MqttSubscriber with maxInFlight > 1 (pipelined)', () => {
  it('handles messages concurrently and sends each PUBACK after its handler resolved, in arrival order', async () => {
    const { client, gates, subscriber } = setup();
    await subscriber.start();
    [1, 2, 3].forEach((id) => client.deliver(id));
    await tick();
    expect(gates.size).toBe(3);
    expect(client.reads).toBe(3);
    gates.get(3)!.release();
    gates.get(2)!.release();
    await tick();
    expect(client.pubacks).toEqual([]);
    gates.get(1)!.release();
    await tick();
    expect(client.pubacks).toEqual([1, 2, 3]);
    expect(subscriber.inFlight).toBe(0);
  });

  it('keeps reading packets (PINGRESPs too) with a full window; pauses only far past it', async () => {
    const { client, gates, subscriber } = setup(2);
    await subscriber.start();
    // The broker's flow control (receiveMaximum = maxInFlight) keeps the window at 2; reading
    // on is what lets mqtt.js see the ping responses during a long Kafka outage.
    [1, 2].forEach((id) => client.deliver(id));
    await tick();
    expect(client.reads).toBe(2);
    // A broker ignoring receiveMaximum: reading pauses at 4 × maxInFlight, resumes on a finish.
    [3, 4, 5, 6, 7].forEach((id) => client.deliver(id));
    await tick();
    expect(client.reads).toBe(7);
    expect(subscriber.inFlight).toBe(7);
    client.deliver(8);
    await tick();
    expect(client.reads).toBe(7);
    gates.get(1)!.release();
    await tick();
    expect(client.reads).toBe(8);
    expect(client.pubacks).toEqual([1]);
  });

  it('leave() unsubscribes, handles what the broker still had queued, then stops', async () => {
    const { client, gates, subscriber } = setup();
    await subscriber.start();
    client.deliver(1);
    await tick();
    const leaving = subscriber.leave(5_000);
    await tick();
    expect(client.unsubscribed).toEqual(['sensors/+/telemetry']);
    // Queued in the session before the UNSUBACK: still delivered, handled and acked.
    client.deliver(2);
    await tick();
    gates.get(1)!.release();
    gates.get(2)!.release();
    await leaving;
    expect(client.pubacks).toEqual([1, 2]);
    // A reconnect while leaving does not subscribe again.
    client.emit('connect', { sessionPresent: false });
    expect(client.subscribed).toEqual(['sensors/+/telemetry']);
  });

  it('holds messages that arrive before start (a resumed session) until the handlers are registered', async () => {
    const { client, gates, subscriber } = setup();
    client.deliver(1);
    await tick();
    expect(gates.size).toBe(0);
    await subscriber.start();
    await tick();
    gates.get(1)!.release();
    await tick();
    expect(client.pubacks).toEqual([1]);
    expect(client.subscribed).toEqual(['sensors/+/telemetry']);
  });

  it('does not ack a failed message: drops the connection so that the broker re-sends it', async () => {
    const { client, gates, subscriber } = setup();
    await subscriber.start();
    [1, 2].forEach((id) => client.deliver(id));
    await tick();
    gates.get(2)!.release();
    gates.get(1)!.fail(new Error('boom'));
    await tick();
    expect(client.pubacks).toEqual([]);
    expect(client.destroyed).toBe(1);
  });

  it('on a lost connection aborts the handlers in flight and never acks their packet ids later', async () => {
    const { client, gates, subscriber } = setup();
    await subscriber.start();
    [1, 2].forEach((id) => client.deliver(id));
    await tick();
    client.dropConnection();
    expect(gates.get(1)!.signal!.aborted).toBe(true);
    client.connected = true;
    client.emit('connect', { sessionPresent: true });
    client.deliver(3);
    await tick();
    gates.get(3)!.release();
    await tick();
    expect(client.pubacks).toEqual([3]);
    expect(subscriber.inFlight).toBe(0);
  });

  it('acks a message no handler matches, in order with the others', async () => {
    const { client, gates, subscriber } = setup();
    await subscriber.start();
    client.deliver(1);
    client.deliver(2, 'other/topic');
    await tick();
    expect(client.pubacks).toEqual([]);
    gates.get(1)!.release();
    await tick();
    expect(client.pubacks).toEqual([1, 2]);
  });

  it('stop() lets running handlers finish and ack, leaves later messages unacked', async () => {
    const { client, gates, subscriber } = setup();
    await subscriber.start();
    client.deliver(1);
    await tick();
    const stopping = subscriber.stop(5_000);
    client.deliver(2);
    gates.get(1)!.release();
    await stopping;
    expect(client.pubacks).toEqual([1]);
    expect(gates.has(2)).toBe(false);
  });

  it('stop() aborts handlers that outlive the grace period, without acking them', async () => {
    const { client, gates, subscriber } = setup();
    await subscriber.start();
    client.deliver(1);
    await tick();
    await subscriber.stop(20);
    expect(gates.get(1)!.signal!.aborted).toBe(true);
    expect(client.pubacks).toEqual([]);
    expect(client.destroyed).toBe(0);
  });
});
