import {
  PrivateKafka,
  TEST_ENV,
  startTestService,
  waitFor,
  type RunningTestService,
} from '@streamline/testing';
import { connectAsync, type MqttClient } from 'mqtt';
import { iotIngestorService } from '../src/iot-ingestor.service';
import { IngestTestSpace } from './support/ingest-test-names';
import { KafkaTail, seqsOf } from './support/kafka-tail';

const RECEIVE_MAXIMUM = 16;
const BEFORE = 50;
/** Published while Kafka is down; below Mosquitto's 1000 queued messages per session. */
const DURING = 200;

/** Stopping the shared broker would break the other suites: this test runs a Kafka of its own. */
describe('iot-ingestor during a Kafka outage (private Kafka broker, real Mosquitto and NATS)', () => {
  const space = new IngestTestSpace();
  let kafka: PrivateKafka;
  let service: RunningTestService;
  let publisher: MqttClient;

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${service.baseUrl}/metrics`)).text();
    const match = new RegExp(
      `^${name}(?:\\{[^}]*kind="telemetry"[^}]*\\}|\\{[^}]*\\})? (\\S+)$`,
      'm',
    ).exec(text);
    return Number(match?.[1] ?? 0);
  };
  const readiness = async () => {
    const response = await fetch(`${service.baseUrl}/health/ready`);
    return {
      status: response.status,
      body: (await response.json()) as { error?: Record<string, unknown> },
    };
  };
  const publish = async (from: number, count: number) => {
    for (let seq = from; seq < from + count; seq++) {
      const reading = { ts: Date.now(), seq, metrics: { v: seq } };
      await publisher.publishAsync(space.telemetry(`dev-${seq % 5}`), JSON.stringify(reading), {
        qos: 1,
      });
    }
  };

  beforeAll(async () => {
    kafka = await PrivateKafka.create();
    await kafka.start();
    await space.createTopics(kafka.brokers);
    service = await startTestService(
      iotIngestorService,
      space.env({
        KAFKA_BROKERS: kafka.brokers.join(','),
        // The direct mode's guarantee: nothing acknowledged before Kafka did (spool: kafka-freeze).
        INGEST_MODE: 'direct',
        MQTT_RECEIVE_MAXIMUM: String(RECEIVE_MAXIMUM),
        LOG_LEVEL: 'fatal',
      }),
    );
    publisher = await connectAsync(TEST_ENV.mqttUrl, {
      clientId: `${space.id}-publisher`,
      protocolVersion: 5,
      clean: true,
    });
  }, 120_000);

  afterAll(async () => {
    await publisher?.endAsync();
    await service?.close();
    await space.cleanup(kafka?.brokers);
    await kafka?.destroy();
  }, 60_000);

  it('holds a bounded number of messages unacknowledged, reports not-ready, and loses nothing once Kafka is back', async () => {
    await publish(0, BEFORE);
    await waitFor(
      async () =>
        (await metric('iot_ingestor_readings_produced_total')) >= BEFORE ? true : undefined,
      {
        what: 'the readings before the outage in Kafka',
      },
    );

    await kafka.stop();
    const down = await waitFor(
      async () => {
        const ready = await readiness();
        return ready.status === 503 ? ready.body : undefined;
      },
      { what: 'readiness 503' },
    );
    expect(down.error).toHaveProperty('kafka');

    await publish(BEFORE, DURING);
    // The ingestor holds a full window of messages, unacknowledged, and takes no more.
    await waitFor(
      async () =>
        (await metric('iot_ingestor_messages_in_flight')) === RECEIVE_MAXIMUM ? true : undefined,
      {
        what: `${RECEIVE_MAXIMUM} messages in flight`,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await metric('iot_ingestor_messages_in_flight')).toBe(RECEIVE_MAXIMUM);
    expect(await metric('iot_ingestor_messages_received_total')).toBeLessThanOrEqual(
      BEFORE + RECEIVE_MAXIMUM,
    );

    await kafka.start();
    await waitFor(async () => ((await readiness()).status === 200 ? true : undefined), {
      what: 'readiness 200 again',
    });
    const tail = await KafkaTail.start(kafka.brokers, [space.telemetryTopic]);
    try {
      const seqs = await waitFor(
        () => {
          const found = new Set(seqsOf(tail.of(space.telemetryTopic)));
          return found.size >= BEFORE + DURING ? found : undefined;
        },
        { timeoutMs: 45_000, what: `all ${BEFORE + DURING} readings in Kafka` },
      );
      expect([...seqs].sort((a, b) => a - b)).toEqual([...Array(BEFORE + DURING).keys()]);
      // Nothing valid was taken for a refusal and dead-lettered on the way.
      expect(await metric('iot_ingestor_invalid_total')).toBe(0);
    } finally {
      await tail.stop();
    }
  }, 120_000);
});
