import { HEADERS, type TelemetryRecord } from '@streamline/contracts';
import { TEST_ENV, startTestService, type RunningTestService } from '@streamline/testing';
import { connectAsync, type MqttClient } from 'mqtt';
import { iotIngestorService } from '../src/iot-ingestor.service';
import { IngestTestSpace } from './support/ingest-test-names';
import { KafkaTail, seqsOf } from './support/kafka-tail';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('iot-ingestor: MQTT telemetry into Kafka (real Mosquitto, Kafka, NATS)', () => {
  const space = new IngestTestSpace();
  let service: RunningTestService;
  let publisher: MqttClient;
  let tail: KafkaTail;

  beforeAll(async () => {
    await space.createTopics();
    service = await startTestService(
      iotIngestorService,
      space.env({ TELEMETRY_MAX_PAYLOAD_BYTES: '4096' }),
    );
    publisher = await connectAsync(TEST_ENV.mqttUrl, {
      clientId: `${space.id}-publisher`,
      protocolVersion: 5,
      clean: true,
    });
    tail = await KafkaTail.start(TEST_ENV.kafkaBrokers, [space.telemetryTopic, space.dlqTopic]);
    // The shared subscription exists once a first reading makes it through.
    await publisher.publishAsync(
      space.telemetry('warm-up'),
      JSON.stringify({ ts: Date.now(), metrics: { w: 1 } }),
      {
        qos: 1,
      },
    );
    await tail.waitFor(space.telemetryTopic, 1);
  });

  afterAll(async () => {
    await tail?.stop();
    await publisher?.endAsync();
    await service?.close();
    await space.cleanup();
  });

  it('produces N readings keyed by device, with the contract headers, the traceparent and the values sent', async () => {
    const devices = ['dev-a', 'dev-b', 'dev-c'];
    const n = 150;
    const start = Date.now() - 60_000;
    for (let seq = 0; seq < n; seq++) {
      const deviceId = devices[seq % devices.length]!;
      // Every other reading names its device and writes ts as ISO-8601; the others rely on the topic.
      const ts = start + seq;
      const reading =
        seq % 2 === 0
          ? {
              deviceId,
              ts: new Date(ts).toISOString(),
              seq,
              metrics: { temperature: seq / 10, rssi: -50 - seq },
            }
          : { ts, seq, metrics: { temperature: seq / 10, rssi: -50 - seq } };
      await publisher.publishAsync(space.telemetry(deviceId), JSON.stringify(reading), {
        qos: 1,
        properties: { userProperties: { traceparent: TRACEPARENT } },
      });
    }
    const records = (await tail.waitFor(space.telemetryTopic, n + 1)).filter(
      (r) => r.key !== 'warm-up',
    );
    expect(records).toHaveLength(n);
    for (const record of records) {
      const value = JSON.parse(record.value.toString()) as TelemetryRecord;
      expect(record.key).toBe(devices[value.seq! % devices.length]);
      expect(value).toEqual({
        deviceId: record.key,
        ts: start + value.seq!,
        seq: value.seq,
        metrics: { temperature: value.seq! / 10, rssi: -50 - value.seq! },
        ingestedAt: expect.any(Number),
      });
      expect(value.ingestedAt).toBeGreaterThanOrEqual(value.ts);
      expect(record.headers).toEqual({
        [HEADERS.CONTENT_TYPE]: 'application/json',
        [HEADERS.SCHEMA]: 'iot.telemetry/1',
        [HEADERS.TRACEPARENT]: TRACEPARENT,
      });
    }
    expect(new Set(seqsOf(records)).size).toBe(n);
    // Per device, readings sent one after the other keep their order in the partition.
    for (const deviceId of devices) {
      const seqs = seqsOf(records.filter((r) => r.key === deviceId));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('produces every reading of a gateway batch, in order', async () => {
    const now = Date.now();
    const batch = Array.from({ length: 50 }, (_, seq) => ({
      ts: now - 1000 + seq,
      seq,
      metrics: { v: seq },
    }));
    await publisher.publishAsync(space.telemetry('gateway-1'), JSON.stringify(batch), { qos: 1 });
    const records = await tail.waitForKey(space.telemetryTopic, 'gateway-1', 50);
    expect(seqsOf(records)).toEqual(batch.map((r) => r.seq));
  });

  it('dead-letters each kind of bad input with its reason and original bytes while good traffic flows on', async () => {
    const now = Date.now();
    const bad: Array<{
      name: string;
      device: string;
      payload: Buffer;
      errorClass: string;
      reason: RegExp;
    }> = [
      {
        name: 'not JSON',
        device: 'bad-json',
        payload: Buffer.from('{"ts": 1, metrics'),
        errorClass: 'InvalidJsonError',
        reason: /not valid JSON/,
      },
      {
        name: 'not UTF-8',
        device: 'bad-utf8',
        payload: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]),
        errorClass: 'InvalidUtf8Error',
        reason: /UTF-8/,
      },
      {
        name: 'schema',
        device: 'bad-schema',
        payload: Buffer.from(`{"ts":${now},"metrics":{"t":"hot"}}`),
        errorClass: 'ContractViolationError',
        reason: /^metrics\.t: /,
      },
      {
        name: 'too large',
        device: 'bad-size',
        payload: Buffer.from(JSON.stringify({ ts: now, metrics: { t: 1 }, pad: 'x'.repeat(5000) })),
        errorClass: 'PayloadTooLargeError',
        reason: /exceeds the limit of 4096 bytes/,
      },
      {
        name: 'deviceId mismatch',
        device: 'bad-owner',
        payload: Buffer.from(`{"deviceId":"someone-else","ts":${now},"metrics":{"t":1}}`),
        errorClass: 'DeviceIdMismatchError',
        reason: /^deviceId: "someone-else" disagrees/,
      },
      {
        name: 'in the future',
        device: 'bad-clock',
        payload: Buffer.from(`{"ts":${now + 3_600_000},"metrics":{"t":1}}`),
        errorClass: 'TimestampInFutureError',
        reason: /^ts: .* ahead of the ingestor clock/,
      },
    ];
    const good = (seq: number) => JSON.stringify({ ts: now, seq, metrics: { ok: seq } });
    for (const [i, input] of bad.entries()) {
      await publisher.publishAsync(space.telemetry('good-dev'), good(i), { qos: 1 });
      await publisher.publishAsync(space.telemetry(input.device), input.payload, { qos: 1 });
    }
    const mixed = `[{"ts":${now},"seq":100,"metrics":{"a":1}}, {"ts":"soon","seq":101,"metrics":{"a":2}} ,{"ts":${now},"seq":102,"metrics":{"a":3}}]`;
    await publisher.publishAsync(space.telemetry('mixed-batch'), mixed, { qos: 1 });
    await publisher.publishAsync(space.telemetry('good-dev'), good(bad.length), { qos: 1 });

    const letters = await tail.waitFor(space.dlqTopic, bad.length + 1);
    for (const input of bad) {
      const letter = letters.find((r) => r.key === input.device);
      expect(letter).toBeDefined();
      expect(letter!.value.equals(input.payload)).toBe(true);
      expect(letter!.headers).toMatchObject({
        [HEADERS.DLQ_ORIGIN_TOPIC]: `mqtt:${space.telemetry(input.device)}`,
        [HEADERS.DLQ_SERVICE]: 'iot-ingestor',
        [HEADERS.DLQ_ERROR_CLASS]: input.errorClass,
        [HEADERS.DLQ_ATTEMPTS]: '1',
      });
      expect(letter!.headers[HEADERS.DLQ_ERROR_MESSAGE]).toMatch(input.reason);
      expect(Number(letter!.headers[HEADERS.DLQ_ORIGIN_TIMESTAMP])).toBeGreaterThanOrEqual(now);
    }
    const batchLetter = letters.find((r) => r.key === 'mixed-batch');
    expect(batchLetter!.value.toString()).toBe('{"ts":"soon","seq":101,"metrics":{"a":2}}');
    expect(batchLetter!.headers[HEADERS.DLQ_ERROR_MESSAGE]).toMatch(/^\[1\]\.ts: /);

    expect(seqsOf(await tail.waitForKey(space.telemetryTopic, 'mixed-batch', 2))).toEqual([
      100, 102,
    ]);
    expect(seqsOf(await tail.waitForKey(space.telemetryTopic, 'good-dev', bad.length + 1))).toEqual(
      [...Array(bad.length + 1).keys()],
    );
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^iot_ingestor_invalid_total\{[^}]*reason="invalid_json"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^iot_ingestor_ingest_lag_seconds_count\{[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^iot_ingestor_kafka_produce_duration_seconds_count\{[^}]*\} [1-9]/m);
  });
});
