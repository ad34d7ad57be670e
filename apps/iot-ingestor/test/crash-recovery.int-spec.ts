import { TEST_ENV, waitFor } from '@streamline/testing';
import { connectAsync, type MqttClient } from 'mqtt';
import { IngestTestSpace } from './support/ingest-test-names';
import { IngestorProcess } from './support/ingestor-process';
import { KafkaTail, seqsOf } from './support/kafka-tail';

/** Mosquitto drops QoS 1 messages beyond 1000 queued per session: stay well below. */
const READINGS = 600;

describe('iot-ingestor killed with SIGKILL mid-stream (real Mosquitto, Kafka, NATS)', () => {
  const space = new IngestTestSpace();
  let publisher: MqttClient;
  let tail: KafkaTail;
  let ingestor: IngestorProcess | undefined;

  beforeAll(async () => {
    await space.createTopics();
    publisher = await connectAsync(TEST_ENV.mqttUrl, {
      clientId: `${space.id}-publisher`,
      protocolVersion: 5,
      clean: true,
    });
    tail = await KafkaTail.start(TEST_ENV.kafkaBrokers, [space.telemetryTopic]);
  });

  afterAll(async () => {
    await ingestor?.stop();
    await tail?.stop();
    await publisher?.endAsync();
    await space.cleanup();
  });

  it('after a restart with the same client id, every reading the publisher got a PUBACK for is in Kafka', async () => {
    // A long linger keeps readings received but not yet in Kafka at any moment: an ingestor that
    // acked on receipt would lose exactly those to the kill.
    const env = space.env({ MQTT_RECEIVE_MAXIMUM: '64', KAFKA_LINGER_MS: '200' });
    ingestor = await IngestorProcess.start(env);
    // The persistent session and its shared subscription exist once a first reading is through.
    await publisher.publishAsync(
      space.telemetry('warm-up'),
      JSON.stringify({ ts: Date.now(), seq: 0, metrics: { w: 1 } }),
      { qos: 1 },
    );
    await tail.waitFor(space.telemetryTopic, 1);

    const acked: number[] = [];
    const publishing = (async () => {
      for (let seq = 1; seq <= READINGS; seq++) {
        const reading = { ts: Date.now(), seq, metrics: { v: seq } };
        await publisher.publishAsync(space.telemetry(`dev-${seq % 7}`), JSON.stringify(reading), {
          qos: 1,
        });
        acked.push(seq);
        // Spread the stream over a few seconds so the kill lands in the middle of it.
        if (seq % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    await tail.waitFor(space.telemetryTopic, 1 + 100);
    await ingestor.kill9();
    const inKafkaAtKill = tail.of(space.telemetryTopic).length;
    await publishing;
    expect(acked).toHaveLength(READINGS);
    expect(inKafkaAtKill).toBeLessThan(1 + READINGS);

    // Not waiting for readiness: a restart into a backlog is busy; Kafka tells what arrived.
    ingestor = await IngestorProcess.start(env, { waitReady: false });
    const expected = new Set(acked);
    const found = await waitFor(
      () => {
        const seqs = new Set(seqsOf(tail.of(space.telemetryTopic)));
        return [...expected].every((seq) => seqs.has(seq)) ? seqs : undefined;
      },
      { timeoutMs: 180_000, what: `all ${READINGS} acknowledged readings in Kafka` },
    );
    expect([...expected].filter((seq) => !found.has(seq))).toEqual([]);
  }, 300_000);
});
