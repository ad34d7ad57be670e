import { TEST_ENV, waitFor } from '@streamline/testing';
import { IngestTestSpace } from './support/ingest-test-names';
import { IngestorProcess } from './support/ingestor-process';
import { KafkaTail } from './support/kafka-tail';
import { PrivateMosquitto } from './support/private-mosquitto';
import { SteadyPublisher } from './support/steady-publisher';

const RATE = 5_000;
const DOWN_MS = 10_000;

/**
 * Issue 12: readings published while the ingestor restarts must wait in its persistent session.
 * The broker runs the project's docker/mosquitto/mosquitto.conf (its queue limit), on a port of
 * this test's own, so the guarantee is the project's, not the machine broker's.
 */
describe('iot-ingestor restarted under load (private Mosquitto with the project config, real Kafka)', () => {
  const space = new IngestTestSpace();
  let mosquitto: PrivateMosquitto;
  let tail: KafkaTail;
  let devices: SteadyPublisher | undefined;

  beforeAll(async () => {
    mosquitto = await PrivateMosquitto.start();
    await space.createTopics();
    tail = await KafkaTail.start(TEST_ENV.kafkaBrokers, [space.telemetryTopic]);
  });

  afterAll(async () => {
    await devices?.close();
    await IngestorProcess.stopAll();
    await tail?.stop();
    await space.cleanup();
    await mosquitto?.destroy();
  }, 60_000);

  it(`loses nothing while it is down for ${DOWN_MS / 1000} s at ${RATE} readings/s`, async () => {
    const env = space.env({ MQTT_URL: mosquitto.url });
    const ingestor = await IngestorProcess.start(env);
    devices = await SteadyPublisher.connect({
      url: mosquitto.url,
      topicOf: (device) => space.telemetry(device),
      ratePerSecond: RATE,
      connections: 4,
    });
    devices.start();
    await waitFor(() => (tail.seqs(space.telemetryTopic).size > 1_000 ? true : undefined), {
      timeoutMs: 90_000,
      what: 'readings flowing before the restart',
    });

    await ingestor.stop();
    const downSince = devices.published;
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    const publishedWhileDown = devices.published - downSince;
    // Not waiting for readiness: catching up on the backlog keeps it busy; Kafka tells.
    await IngestorProcess.start(env, { waitReady: false });
    await devices.stop();

    const acked = [...devices.acked];
    expect(devices.failures).toBe(0);
    expect(acked).toHaveLength(devices.published);
    // Far more than Mosquitto's default queue (1000 per session) waited in the session.
    expect(publishedWhileDown).toBeGreaterThan(10 * 1_000);
    const missing = await tail.waitForSeqs(space.telemetryTopic, acked, {
      timeoutMs: 90_000,
      intervalMs: 500,
      what: 'every acknowledged reading in Kafka',
    });
    expect(missing).toEqual([]);
  }, 240_000);
});
