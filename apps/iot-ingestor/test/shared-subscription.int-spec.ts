import { TEST_ENV, waitFor } from '@streamline/testing';
import { connectAsync, type MqttClient } from 'mqtt';
import { IngestTestSpace } from './support/ingest-test-names';
import { IngestorProcess } from './support/ingestor-process';
import { KafkaTail, seqsOf } from './support/kafka-tail';

const READINGS = 400;

describe('two iot-ingestor instances on the shared subscription (real Mosquitto, Kafka, NATS)', () => {
  const space = new IngestTestSpace();
  let publisher: MqttClient;
  let tail: KafkaTail;
  const instances: IngestorProcess[] = [];

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
    await Promise.all(instances.map((i) => i.stop()));
    await tail?.stop();
    await publisher?.endAsync();
    await space.cleanup();
  });

  it('together deliver every reading, and each instance delivered some', async () => {
    // Separate processes: each has its own /metrics, which tells how many readings it produced.
    instances.push(
      ...(await Promise.all(
        ['a', 'b'].map((name) =>
          IngestorProcess.start(space.env({ MQTT_CLIENT_ID: space.clientId(name) })),
        ),
      )),
    );
    // Both members have subscribed once each produced a warm-up reading of its own.
    await waitFor(
      async () => {
        await publisher.publishAsync(
          space.telemetry('warm-up'),
          JSON.stringify({ ts: Date.now(), metrics: { w: 1 } }),
          {
            qos: 1,
          },
        );
        const counts = await Promise.all(
          instances.map((i) => i.metric('iot_ingestor_readings_produced_total')),
        );
        return counts.every((c) => c > 0) ? true : undefined;
      },
      { what: 'both instances subscribed' },
    );
    const produced = await Promise.all(
      instances.map((i) => i.metric('iot_ingestor_readings_produced_total')),
    );

    for (let seq = 1; seq <= READINGS; seq++) {
      const reading = { ts: Date.now(), seq, metrics: { v: seq } };
      await publisher.publishAsync(space.telemetry(`dev-${seq % 10}`), JSON.stringify(reading), {
        qos: 1,
      });
    }
    const found = await waitFor(
      () => {
        const seqs = new Set(
          seqsOf(tail.of(space.telemetryTopic).filter((r) => r.key !== 'warm-up')),
        );
        return seqs.size >= READINGS ? seqs : undefined;
      },
      { what: `${READINGS} readings in Kafka` },
    );
    expect([...found].sort((a, b) => a - b)).toEqual(
      Array.from({ length: READINGS }, (_, i) => i + 1),
    );
    const after = await Promise.all(
      instances.map((i) => i.metric('iot_ingestor_readings_produced_total')),
    );
    const share = after.map((count, i) => count - (produced[i] ?? 0));
    expect(share.every((count) => count > 0)).toBe(true);
    expect(share.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(READINGS);
  });
});
