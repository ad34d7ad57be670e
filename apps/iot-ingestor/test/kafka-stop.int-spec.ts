import { waitFor, type PrivateKafka } from '@streamline/testing';
import { IngestTestSpace } from './support/ingest-test-names';
import { IngestorProcess } from './support/ingestor-process';
import { KafkaTail } from './support/kafka-tail';
import { PrivateBrokers } from './support/private-brokers';
import type { PrivateMosquitto } from './support/private-mosquitto';
import { SteadyPublisher } from './support/steady-publisher';

const STOP_MS = 30_000;
const RATE = 300;

interface SpoolStatus {
  kafka: { reachable: boolean; lastFailure?: string };
  spool: { records: number; full: boolean };
}

/**
 * Issue 13's broker stop: a private Kafka stopped (its process ended, connections refused, not
 * frozen) for 30 s under a steady load and started again on the same data folder, with the
 * ingestor in spool mode on a private Mosquitto (the project's config). Every reading Mosquitto
 * acknowledged must reach Kafka, the ingestor's MQTT connection must stay up, readiness must
 * stay 200 and GET /status must say Kafka is unreachable while it is away.
 */
describe('iot-ingestor through a 30 s Kafka stop in spool mode (private Kafka and Mosquitto)', () => {
  const space = new IngestTestSpace();
  let brokers: PrivateBrokers;
  let kafka: PrivateKafka;
  let mosquitto: PrivateMosquitto;
  let publisher: SteadyPublisher | undefined;
  const tails: KafkaTail[] = [];

  beforeAll(async () => {
    brokers = await PrivateBrokers.start(space);
    ({ kafka, mosquitto } = brokers);
  }, 180_000);

  afterAll(async () => {
    await publisher?.close();
    await Promise.all(tails.map((tail) => tail.stop().catch(() => undefined)));
    await IngestorProcess.stopAll();
    await (brokers?.destroy() ?? Promise.all([space].map((s) => s.cleanup())));
  }, 120_000);

  it('loses no acknowledged reading, keeps its MQTT connection and stays ready', async () => {
    const ingestor = await IngestorProcess.start(
      brokers.env(space, {
        INGEST_MODE: 'spool',
      }),
    );
    publisher = await SteadyPublisher.connect({
      url: mosquitto.url,
      topicOf: (device) => space.telemetry(device),
      ratePerSecond: RATE,
    });
    publisher.start();
    const before = await KafkaTail.start(kafka.brokers, [space.telemetryTopic]);
    tails.push(before);
    await waitFor(() => (before.seqs(space.telemetryTopic).size > 100 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'readings flowing to Kafka',
    });
    // The tail's own consumer would only see connection errors while the broker is gone.
    await before.stop();
    tails.pop();

    await kafka.stop();
    const stoppedAt = Date.now();
    const status = async (): Promise<SpoolStatus> =>
      (await (await fetch(`${ingestor.baseUrl}/status`)).json()) as SpoolStatus;
    const away = await waitFor(
      async () => {
        const now = await status();
        return now.kafka.reachable ? undefined : now;
      },
      { timeoutMs: STOP_MS - 5_000, intervalMs: 500, what: '/status: Kafka unreachable' },
    );
    expect(away.kafka.lastFailure).toBeDefined();
    // The spool takes every reading: ready, growing, not full.
    while (Date.now() - stoppedAt < STOP_MS - 2_000) {
      expect((await fetch(`${ingestor.baseUrl}/health/ready`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const during = await status();
    expect(during.kafka.reachable).toBe(false);
    expect(during.spool.records).toBeGreaterThan(RATE * 10);
    expect(during.spool.full).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, STOP_MS - (Date.now() - stoppedAt)));

    await kafka.start();
    const after = await KafkaTail.start(kafka.brokers, [space.telemetryTopic]);
    tails.push(after);
    // A few more seconds of load after the restart, then everything acknowledged must arrive.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await publisher.stop();
    const acked = [...publisher.acked];
    expect(publisher.failures).toBe(0);
    expect(acked.length).toBeGreaterThan(RATE * (STOP_MS / 1_000));
    const missing = await after.waitForSeqs(space.telemetryTopic, acked, {
      timeoutMs: 180_000,
      intervalMs: 1_000,
      what: 'every acknowledged reading in Kafka',
    });
    expect(missing).toEqual([]);
    await waitFor(async () => ((await status()).kafka.reachable ? true : undefined), {
      timeoutMs: 30_000,
      what: '/status: Kafka reachable again',
    });
    expect(await ingestor.metric('iot_ingestor_kafka_reachable')).toBe(1);
    // One connect for the whole run: the keepalive never gave up during the stop.
    expect(await mosquitto.connectionsOf(space.clientId())).toBe(1);
  }, 600_000);
});
