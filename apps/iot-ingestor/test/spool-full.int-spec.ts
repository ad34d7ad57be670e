import { waitFor, type PrivateKafka } from '@streamline/testing';
import { IngestTestSpace } from './support/ingest-test-names';
import { IngestorProcess } from './support/ingestor-process';
import { KafkaTail } from './support/kafka-tail';
import { PrivateBrokers } from './support/private-brokers';
import type { PrivateMosquitto } from './support/private-mosquitto';
import { SteadyPublisher } from './support/steady-publisher';

const RATE = 200;
const MAX_READINGS = 500;
const RECEIVE_MAXIMUM = 50;
/** How long the spool stays full under load before Kafka comes back. */
const FULL_MS = 15_000;

interface SpoolStatus {
  kafka: { reachable: boolean };
  spool: { records: number; maxRecords: number; full: boolean };
}

/**
 * Issue 13's full spool: Kafka (private) stopped, the ingestor in spool mode with room for 500
 * readings, devices publishing at a steady rate on a private Mosquitto (the project's config).
 * Once the spool is full the ingestor stops acknowledging MQTT: it takes no more messages than
 * its receive window, which it holds unacknowledged, and Mosquitto queues the rest in the
 * ingestor's persistent session (it goes on acknowledging the devices: the broker, not the
 * ingestor, holds them). The ingestor drops nothing; when Kafka is back every reading Mosquitto
 * acknowledged reaches Kafka, and the MQTT connection stayed up throughout.
 */
describe('iot-ingestor with its spool full (private Kafka and Mosquitto)', () => {
  const space = new IngestTestSpace();
  let brokers: PrivateBrokers;
  let kafka: PrivateKafka;
  let mosquitto: PrivateMosquitto;
  let publisher: SteadyPublisher | undefined;
  let tail: KafkaTail | undefined;

  beforeAll(async () => {
    brokers = await PrivateBrokers.start(space);
    ({ kafka, mosquitto } = brokers);
  }, 180_000);

  afterAll(async () => {
    await publisher?.close();
    await tail?.stop().catch(() => undefined);
    await IngestorProcess.stopAll();
    await (brokers?.destroy() ?? Promise.all([space].map((s) => s.cleanup())));
  }, 120_000);

  it('stops acknowledging MQTT when full, drops nothing, and delivers everything once Kafka is back', async () => {
    const ingestor = await IngestorProcess.start(
      brokers.env(space, {
        INGEST_MODE: 'spool',
        SPOOL_MAX_READINGS: String(MAX_READINGS),
        MQTT_RECEIVE_MAXIMUM: String(RECEIVE_MAXIMUM),
      }),
    );
    const status = async (): Promise<SpoolStatus> =>
      (await (await fetch(`${ingestor.baseUrl}/status`)).json()) as SpoolStatus;
    const received = () => ingestor.metric('iot_ingestor_messages_received_total');
    await kafka.stop();
    publisher = await SteadyPublisher.connect({
      url: mosquitto.url,
      topicOf: (device) => space.telemetry(device),
      ratePerSecond: RATE,
    });
    publisher.start();

    // The spool fills to its limit and stays there.
    const full = await waitFor(
      async () => {
        const now = await status();
        return now.spool.full ? now : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the spool full' },
    );
    expect(full.spool.records).toBe(MAX_READINGS);
    expect(full.spool.maxRecords).toBe(MAX_READINGS);
    // Then the ingestor takes no more messages: at most its window (MQTT_RECEIVE_MAXIMUM) of
    // handlers wait for room, and what it holds stays unacknowledged. The broker may send more
    // than the receive maximum (Mosquitto 2.0.11 was seen with ~150 unacknowledged against 50):
    // those wait in the subscriber for a handler; it stops reading at 4 × its window.
    const inFlight = () => ingestor.metric('iot_ingestor_messages_in_flight');
    const held = await waitFor(
      async () => {
        const [before, window] = [await received(), await inFlight()];
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const after = await received();
        return after === before && window > 0 && window === (await inFlight())
          ? { received: after, window }
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the ingestor taking no more messages' },
    );
    const waitingForRoom = held.received - MAX_READINGS;
    expect(waitingForRoom).toBeGreaterThan(0);
    expect(waitingForRoom).toBeLessThanOrEqual(RECEIVE_MAXIMUM);
    expect(held.window).toBeGreaterThanOrEqual(waitingForRoom);
    expect(held.window).toBeLessThanOrEqual(RECEIVE_MAXIMUM * 4);
    const ackedWhenFull = publisher.acked.size;
    await new Promise((resolve) => setTimeout(resolve, FULL_MS));
    expect(await received()).toBe(held.received);
    expect(await inFlight()).toBe(held.window);
    expect(await ingestor.metric('iot_ingestor_spool_records')).toBe(MAX_READINGS);
    expect(await ingestor.metric('iot_ingestor_invalid_total')).toBe(0);
    // Mosquitto queues what the ingestor does not take, and keeps acknowledging the devices.
    expect(publisher.acked.size).toBeGreaterThan(ackedWhenFull + RATE * 5);
    // The first produce attempt may still be running when the spool fills: wait for its failure.
    await waitFor(async () => ((await status()).kafka.reachable ? undefined : true), {
      timeoutMs: 30_000,
      what: '/status: Kafka unreachable',
    });
    expect((await status()).spool.full).toBe(true);
    // Not ready now (Kafka away AND the spool full: README), while /status tells why.
    await waitFor(
      async () =>
        (await fetch(`${ingestor.baseUrl}/health/ready`)).status === 503 ? true : undefined,
      { timeoutMs: 15_000, what: 'readiness 503 with Kafka away and the spool full' },
    );

    await kafka.start();
    tail = await KafkaTail.start(kafka.brokers, [space.telemetryTopic]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await publisher.stop();
    const published = publisher.published;
    const acked = [...publisher.acked];
    expect(publisher.failures).toBe(0);
    expect(acked.length).toBe(published);
    const missing = await tail.waitForSeqs(space.telemetryTopic, acked, {
      timeoutMs: 180_000,
      intervalMs: 1_000,
      what: 'every acknowledged reading in Kafka',
    });
    expect(missing).toEqual([]);
    await waitFor(
      async () => ((await ingestor.metric('iot_ingestor_spool_records')) === 0 ? true : undefined),
      { timeoutMs: 30_000, what: 'the spool drained' },
    );
    expect(await ingestor.metric('iot_ingestor_invalid_total')).toBe(0);
    expect((await fetch(`${ingestor.baseUrl}/health/ready`)).status).toBe(200);
    // The connection held through the full window too (PINGRESPs are not starved).
    expect(await mosquitto.connectionsOf(space.clientId())).toBe(1);
  }, 600_000);
});
