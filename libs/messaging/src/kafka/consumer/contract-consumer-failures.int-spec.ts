import { HEADERS, telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import { waitFor } from '@streamline/testing';
import type { KafkaMessage } from 'kafkajs';
import { register } from 'prom-client';
import { NonRetryableError } from '../../errors/processing-error';
import { silentLogger } from '../../logging/messaging-logger';
import { CONSUMER_METRIC_NAMES } from '../metrics/consumer-metrics';
import { defineHandler } from './consumer-options';
import { ContractConsumer } from './contract-consumer';
import { delay, KafkaTestKit, telemetry, type TestRecord } from './test/kafka-test-kit';

const DLQ_HEADERS = [
  HEADERS.DLQ_ORIGIN_TOPIC,
  HEADERS.DLQ_ORIGIN_PARTITION,
  HEADERS.DLQ_ORIGIN_OFFSET,
  HEADERS.DLQ_ORIGIN_TIMESTAMP,
  HEADERS.DLQ_SERVICE,
  HEADERS.DLQ_ERROR_CLASS,
  HEADERS.DLQ_ERROR_MESSAGE,
  HEADERS.DLQ_ATTEMPTS,
];

function header(message: KafkaMessage, name: string): string | undefined {
  return message.headers?.[name]?.toString();
}

async function counterValue(name: string, group: string): Promise<number> {
  const metric = register.getSingleMetric(name);
  const values = metric ? (await metric.get()).values : [];
  return values.filter((v) => v.labels['group'] === group).reduce((sum, v) => sum + v.value, 0);
}

describe('ContractConsumer failure routing against the real broker', () => {
  const kit = new KafkaTestKit();

  afterAll(() => kit.cleanup());

  it('sends poison records to <topic>.dlq with the dlq.* headers and the original bytes, and goes on with the next records', async () => {
    const topic = await kit.topic('it.poison', 1, { retry: true, dlq: true });
    const groupId = kit.group('it.poison.group');
    // Bytes that are not UTF-8, in a header: they must come back bit for bit.
    const binaryHeader = Buffer.from([0xff, 0x00, 0xfe, 0x7f]);
    const poison: TestRecord = {
      key: 'device-1',
      value: Buffer.from('{"deviceId": "device-1", not json'),
      headers: {
        'x-binary': binaryHeader,
        traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
      },
    };
    const violation = telemetry('device-1', 9, { metrics: {} });
    await kit.produce(topic, [
      telemetry('device-1', 0),
      poison,
      telemetry('device-1', 1), // the handler refuses this one for good
      violation,
      telemetry('device-1', 2),
    ]);

    const handled: number[] = [];
    const consumer = new ContractConsumer({
      kafka: kit.kafka,
      groupId,
      service: 'it-poison',
      logger: silentLogger,
      handlers: [
        defineHandler({
          topic,
          contract: telemetryContract,
          handler: (value: TelemetryRecord) => {
            if (value.seq === 1)
              throw new NonRetryableError('DEVICE_RETIRED', 'device 1 is retired');
            handled.push(value.seq ?? -1);
          },
        }),
      ],
    });
    await consumer.start();
    let dead;
    try {
      dead = await kit.read(`${topic}.dlq`, 3);
      await waitFor(() => (handled.length >= 2 ? true : undefined), {
        what: 'valid records handled',
      });
    } finally {
      await consumer.stop();
    }
    expect(handled).toEqual([0, 2]);

    const originals = await kit.read(topic, 5);
    const byOffset = new Map(originals.map((r) => [r.message.offset, r.message]));
    const deadLetters = dead.map((r) => r.message);
    expect(deadLetters.map((m) => header(m, HEADERS.DLQ_ORIGIN_OFFSET))).toEqual(['1', '2', '3']);
    for (const letter of deadLetters) {
      for (const name of DLQ_HEADERS) expect(header(letter, name)).toBeDefined();
      const original = byOffset.get(header(letter, HEADERS.DLQ_ORIGIN_OFFSET) ?? '');
      expect(original).toBeDefined();
      expect(letter.key?.equals(original?.key ?? Buffer.alloc(0))).toBe(true);
      expect(letter.value?.equals(original?.value ?? Buffer.alloc(0))).toBe(true);
      for (const [name, value] of Object.entries(original?.headers ?? {})) {
        expect(Buffer.isBuffer(letter.headers?.[name])).toBe(true);
        expect((letter.headers?.[name] as Buffer).equals(value as Buffer)).toBe(true);
      }
      expect(header(letter, HEADERS.DLQ_ORIGIN_TOPIC)).toBe(topic);
      expect(header(letter, HEADERS.DLQ_ORIGIN_PARTITION)).toBe('0');
      expect(header(letter, HEADERS.DLQ_ORIGIN_TIMESTAMP)).toBe(original?.timestamp);
      expect(header(letter, HEADERS.DLQ_SERVICE)).toBe('it-poison');
      expect(header(letter, HEADERS.DLQ_ATTEMPTS)).toBe('1');
    }
    expect((deadLetters[0]?.headers?.['x-binary'] as Buffer).equals(binaryHeader)).toBe(true);
    expect(deadLetters.map((m) => header(m, HEADERS.DLQ_ERROR_CLASS))).toEqual([
      'ContractViolationError',
      'NonRetryableError',
      'ContractViolationError',
    ]);
    expect(header(deadLetters[2] as KafkaMessage, HEADERS.DLQ_ERROR_MESSAGE)).toContain('metrics');

    expect((await kit.committed(groupId, topic)).get(0)).toBe(5);
    expect(await counterValue(CONSUMER_METRIC_NAMES.DEAD_LETTERED, groupId)).toBe(3);
    expect(await counterValue(CONSUMER_METRIC_NAMES.PROCESSED, groupId)).toBe(2);
  });

  it('holds the partition and commits nothing past a poison record while its dead letter cannot be written', async () => {
    // No `.dlq` topic yet (the broker does not create topics): the dead-letter write fails.
    const topic = await kit.topic('it.dlqdown', 2, { retry: true });
    const groupId = kit.group('it.dlqdown.group');
    await kit.produce(topic, [
      { ...telemetry('device-a', 0), partition: 0 },
      { key: 'device-a', value: 'not json', partition: 0 },
      { ...telemetry('device-a', 1), partition: 0 },
      { ...telemetry('device-b', 0), partition: 1 },
      { ...telemetry('device-b', 1), partition: 1 },
    ]);

    const handled: string[] = [];
    const consumer = new ContractConsumer({
      kafka: kit.kafka,
      groupId,
      service: 'it-dlqdown',
      logger: silentLogger,
      handlers: [
        defineHandler({
          topic,
          contract: telemetryContract,
          handler: (value: TelemetryRecord) => {
            handled.push(`${value.deviceId}:${value.seq}`);
          },
        }),
      ],
    });
    await consumer.start();
    try {
      // Partition 1 flows while partition 0 waits behind its poison record.
      await waitFor(
        () => (handled.includes('device-b:1') && handled.includes('device-a:0') ? true : undefined),
        {
          what: 'the records before and beside the poison record',
        },
      );
      await delay(3_000);
      expect(handled).not.toContain('device-a:1');
      expect((await kit.committed(groupId, topic)).get(0) ?? -1).toBeLessThanOrEqual(1);

      await kit.createTopics([{ topic: `${topic}.dlq`, partitions: 1 }]);
      await waitFor(() => (handled.includes('device-a:1') ? true : undefined), {
        timeoutMs: 45_000,
        what: 'the record after the poison once the dead letter is written',
      });
    } finally {
      await consumer.stop();
    }
    const [letter] = await kit.read(`${topic}.dlq`, 1);
    expect(letter?.message.value?.toString()).toBe('not json');
    expect((await kit.committed(groupId, topic)).get(0)).toBe(3);
  });
});
