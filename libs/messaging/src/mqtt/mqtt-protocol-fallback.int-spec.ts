import { TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import type { MqttClient } from 'mqtt';
import { purgeSession, testPublisher, testSubscriber } from './test-support/mqtt-test-clients';
import { startV5RefusingProxy, type V5RefusingProxy } from './test-support/v5-refusing-proxy';

const brokerUrl = new URL(TEST_ENV.mqttUrl);
const broker = { host: brokerUrl.hostname, port: Number(brokerUrl.port || 1883) };

describe.each([
  ['3.1.1 "unacceptable protocol version" (0x01)', 0x01 as const],
  ['MQTT 5 "unsupported protocol version" (0x84)', 0x84 as const],
])('MQTT 5 → 3.1.1 fallback when the broker answers %s', (_name, refusal) => {
  const prefix = uniqueName('it-mqtt-fallback');
  let proxy: V5RefusingProxy;
  let publisher: MqttClient;

  beforeAll(async () => {
    proxy = await startV5RefusingProxy(broker, refusal);
    publisher = await testPublisher(TEST_ENV.mqttUrl, `${prefix}-pub`);
  });

  afterAll(async () => {
    await publisher.endAsync();
    await proxy.close();
    await purgeSession(TEST_ENV.mqttUrl, `${prefix}-sub`);
  });

  it('reconnects with protocolVersion 4 and then receives and acks messages', async () => {
    const topic = `${prefix}/t`;
    const received: string[] = [];
    const sub = testSubscriber({ url: proxy.url, clientId: `${prefix}-sub` });
    sub.subscriber.add({
      filter: topic,
      qos: 1,
      handler: async (m) => void received.push(m.payload.toString()),
    });
    await sub.run();

    expect(proxy.connects.slice(0, 2)).toEqual([5, 4]);
    expect(sub.client.options.protocolVersion).toBe(4);
    await publisher.publishAsync(topic, 'via 3.1.1', { qos: 1 });
    await waitFor(() => (received.length > 0 ? true : undefined), { what: 'message' });
    await sub.close();
    expect(received).toEqual(['via 3.1.1']);
  });
});
