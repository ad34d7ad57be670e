import { waitFor, type PrivateKafka } from '@streamline/testing';
import { IngestTestSpace } from './support/ingest-test-names';
import { IngestorProcess } from './support/ingestor-process';
import { KafkaTail } from './support/kafka-tail';
import { PrivateBrokers } from './support/private-brokers';
import type { PrivateMosquitto } from './support/private-mosquitto';
import { SteadyPublisher } from './support/steady-publisher';

const FREEZE_MS = 90_000;
/** Per mode; the direct mode's backlog must fit the broker's queue (100 000 per session). */
const RATE = 300;

/**
 * Issues 12 and 13 in one 90 s outage (CI pays for one): a private Kafka frozen with SIGSTOP
 * under a steady load, then thawed, with two ingestors on a private Mosquitto (the project's
 * config), each in its own topic space: one in spool mode, killed with SIGKILL in the middle of
 * the outage (its spool full of readings) and restarted, one in direct mode. Every reading
 * Mosquitto acknowledged must reach Kafka, and neither MQTT connection may be dropped by the
 * keepalive (the reconnect loop of a reader that stopped reading PINGRESPs).
 */
describe('iot-ingestor through a 90 s Kafka freeze (private Kafka and Mosquitto)', () => {
  const spool = new IngestTestSpace();
  const direct = new IngestTestSpace();
  let brokers: PrivateBrokers;
  let kafka: PrivateKafka;
  let mosquitto: PrivateMosquitto;
  const devices: SteadyPublisher[] = [];

  beforeAll(async () => {
    brokers = await PrivateBrokers.start(spool, direct);
    ({ kafka, mosquitto } = brokers);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.close()));
    await IngestorProcess.stopAll();
    await (brokers?.destroy() ?? Promise.all([spool, direct].map((s) => s.cleanup())));
  }, 120_000);

  it('loses nothing in spool mode (kill -9 with a full spool included) or direct mode, and keeps the MQTT connections', async () => {
    const env = (space: IngestTestSpace, mode: string) =>
      brokers.env(space, {
        INGEST_MODE: mode,
      });
    const spoolEnv = env(spool, 'spool');
    let spooling = await IngestorProcess.start(spoolEnv);
    await IngestorProcess.start(env(direct, 'direct'));
    for (const space of [spool, direct]) {
      const publisher = await SteadyPublisher.connect({
        url: mosquitto.url,
        topicOf: (device) => space.telemetry(device),
        ratePerSecond: RATE,
      });
      publisher.start();
      devices.push(publisher);
    }
    const tails = await Promise.all(
      [spool, direct].map((space) => KafkaTail.start(kafka.brokers, [space.telemetryTopic])),
    );
    await waitFor(
      () =>
        tails.every((tail, i) => tail.seqs([spool, direct][i]!.telemetryTopic).size > 100)
          ? true
          : undefined,
      { timeoutMs: 60_000, what: 'readings flowing in both modes' },
    );

    kafka.freeze();
    await new Promise((resolve) => setTimeout(resolve, FREEZE_MS / 2));
    // Spool mode takes and keeps every reading: ready, and /status says Kafka is away.
    expect((await fetch(`${spooling.baseUrl}/health/ready`)).status).toBe(200);
    const status = (await (await fetch(`${spooling.baseUrl}/status`)).json()) as {
      kafka: { reachable: boolean };
      spool: { records: number };
    };
    expect(status.kafka.reachable).toBe(false);
    expect(status.spool.records).toBeGreaterThan(0);
    // A crash with the spool full of readings acknowledged to MQTT: they are on disk.
    await spooling.kill9();
    // Not waiting for readiness: what is under test is that nothing is lost (Kafka tells).
    spooling = await IngestorProcess.start(spoolEnv, { waitReady: false });
    await new Promise((resolve) => setTimeout(resolve, FREEZE_MS / 2));
    kafka.thaw();
    await Promise.all(devices.map((d) => d.stop()));

    for (const [i, space] of [spool, direct].entries()) {
      const acked = [...(devices[i] as SteadyPublisher).acked];
      expect(acked.length).toBeGreaterThan(RATE * 30);
      const missing = await (tails[i] as KafkaTail).waitForSeqs(space.telemetryTopic, acked, {
        timeoutMs: 180_000,
        intervalMs: 1_000,
        what: `every acknowledged reading of ${space.id}`,
      });
      expect(missing).toEqual([]);
    }
    await Promise.all(tails.map((tail) => tail.stop()));
    // One connect each (the spool instance: one more, after its kill): no keepalive reconnects.
    expect(await mosquitto.connectionsOf(direct.clientId())).toBeLessThanOrEqual(2);
    expect(await mosquitto.connectionsOf(spool.clientId())).toBe(2);
  }, 600_000);
});
