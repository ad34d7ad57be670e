import mqtt, { type MqttClient } from 'mqtt';
import { TEST_ENV } from './test-env';
import { uniqueName } from './unique-name';
import { waitFor } from './wait-for';

/** Mosquitto's default max_queued_messages: beyond it, QoS 1 messages for an offline session are dropped (yet acked). */
const MOSQUITTO_DEFAULT_QUEUE = 1000;
const PUBLISHED = MOSQUITTO_DEFAULT_QUEUE + 500;

function connect(clientId: string, clean: boolean): MqttClient {
  return mqtt.connect(TEST_ENV.mqttUrl, {
    clientId,
    clean,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
}

function connected(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
}

/**
 * `infra.sh up` runs the machine's broker with the limits of docker/mosquitto/mosquitto.conf:
 * an offline persistent session (like iot-ingestor's while it restarts) keeps more than the
 * default 1000 QoS 1 messages.
 */
describe('the local Mosquitto (infra.sh up)', () => {
  const clientId = uniqueName('limits-it');
  const topic = `streamline-test/${clientId}/t`;
  let subscriber: MqttClient | undefined;
  let publisher: MqttClient | undefined;

  afterAll(async () => {
    await publisher?.endAsync();
    await subscriber?.endAsync();
    // A clean-start connect removes the persistent session (and anything still queued for it).
    const cleaner = connect(clientId, true);
    await connected(cleaner);
    await cleaner.endAsync();
  }, 30_000);

  it(`queues ${PUBLISHED} QoS 1 messages for an offline persistent session`, async () => {
    subscriber = connect(clientId, false);
    await connected(subscriber);
    await subscriber.subscribeAsync(topic, { qos: 1 });
    await subscriber.endAsync();

    publisher = connect(uniqueName('limits-it-pub'), true);
    await connected(publisher);
    for (let i = 0; i < PUBLISHED; i += 100) {
      const batch = Array.from({ length: Math.min(100, PUBLISHED - i) }, (_, j) =>
        publisher!.publishAsync(topic, String(i + j), { qos: 1 }),
      );
      await Promise.all(batch);
    }

    const received = new Set<string>();
    subscriber = connect(clientId, false);
    subscriber.on('message', (_topic, payload) => received.add(payload.toString()));
    await connected(subscriber);
    await waitFor(() => (received.size >= PUBLISHED ? true : undefined), {
      timeoutMs: 30_000,
      what: `${PUBLISHED} queued messages`,
    }).catch((error: unknown) => {
      throw new Error(
        `${String(error)}; received ${received.size}: is the broker running with the project's max_queued_messages (npm run infra:status)?`,
      );
    });
    expect(received.size).toBe(PUBLISHED);
    expect(received.has(String(PUBLISHED - 1))).toBe(true);
  }, 120_000);
});
