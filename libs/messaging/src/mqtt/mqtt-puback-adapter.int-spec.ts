import { TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { deferPubacks } from './mqtt-puback-adapter';
import { purgeSession, testPublisher } from './test-support/mqtt-test-clients';

const url = TEST_ENV.mqttUrl;

/**
 * The mqtt.js contract the subscriber is built on (mqtt 5.16), checked against the real client
 * and Mosquitto, so an mqtt.js upgrade that changes it fails here, loudly, rather than losing
 * or duplicating acks in production: (1) calling handleMessage's callback with an error makes
 * mqtt.js read the next packet and send no PUBACK; (2) a PUBACK written with `_sendPacket`
 * acknowledges that message at the broker.
 */
describe('mqtt.js deferred PUBACKs (mqtt-puback-adapter) against the real Mosquitto', () => {
  const prefix = uniqueName('it-puback');
  const topic = `${prefix}/t`;
  const clientId = `${prefix}-sub`;
  let publisher: MqttClient;

  beforeAll(async () => {
    publisher = await testPublisher(url, `${prefix}-pub`);
  });

  afterAll(async () => {
    await publisher.endAsync();
    await purgeSession(url, clientId);
  });

  function connectSubscriber(received: IPublishPacket[]): {
    client: MqttClient;
    puback: (id: number) => void;
  } {
    const client = mqtt.connect(url, {
      clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 300, receiveMaximum: 10 },
      reconnectPeriod: 0,
      manualConnect: true,
    });
    const acks = deferPubacks(client, (packet, readNext) => {
      received.push(packet);
      readNext();
    });
    client.connect();
    return { client, puback: (id) => acks.puback(id) };
  }

  it('reads on without acking, and acks exactly the messages given to puback()', async () => {
    const first: IPublishPacket[] = [];
    const { client, puback } = connectSubscriber(first);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await client.subscribeAsync(topic, { qos: 1 });
    for (const payload of ['a', 'b', 'c']) await publisher.publishAsync(topic, payload, { qos: 1 });
    // All three arrive although none is acknowledged: the reader was never held.
    await waitFor(() => (first.length === 3 ? true : undefined), { what: 'three messages' });
    puback(first[0]?.messageId as number);
    // A QoS 1 round trip after the PUBACK, so the broker has processed it before we drop.
    await client.publishAsync(`${prefix}/probe`, '', { qos: 1 });
    client.stream.destroy();
    await new Promise<void>((resolve) => client.once('close', () => resolve()));
    await client.endAsync(true);

    const again: IPublishPacket[] = [];
    const resumed = connectSubscriber(again);
    await waitFor(() => (again.length === 2 ? true : undefined), { what: 'the re-sent two' });
    // Only the two never acknowledged come back, marked as re-sent.
    expect(again.map((p) => [p.payload.toString(), p.dup])).toEqual([
      ['b', true],
      ['c', true],
    ]);
    again.forEach((p) => resumed.puback(p.messageId as number));
    await resumed.client.publishAsync(`${prefix}/probe`, '', { qos: 1 });
    await resumed.client.endAsync();
  });

  it('refuses, at once, an mqtt.js client without _sendPacket', () => {
    const client = mqtt.connect(url, { manualConnect: true });
    (client as unknown as { _sendPacket?: unknown })._sendPacket = undefined;
    expect(() => deferPubacks(client, () => undefined)).toThrow(/_sendPacket/);
  });
});
