import { telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import { waitFor } from '@streamline/testing';
import { register } from 'prom-client';
import { silentLogger } from '../../logging/messaging-logger';
import { CONSUMER_METRIC_NAMES } from '../metrics/consumer-metrics';
import { defineHandler } from './consumer-options';
import { ContractConsumer } from './contract-consumer';
import { delay, KafkaTestKit, telemetry } from './test/kafka-test-kit';

async function lagOf(group: string, topic: string, partition: number): Promise<number | undefined> {
  const metric = register.getSingleMetric(CONSUMER_METRIC_NAMES.LAG);
  const values = metric ? (await metric.get()).values : [];
  return values.find(
    (v) =>
      v.labels['group'] === group &&
      v.labels['topic'] === topic &&
      v.labels['partition'] === String(partition),
  )?.value;
}

describe('ContractConsumer flow control and lag against the real broker', () => {
  const kit = new KafkaTestKit();

  afterAll(() => kit.cleanup());

  it('pauses partitions when the in-flight budget is used up and resumes them as the handlers catch up', async () => {
    // Sends of 10 records make record batches of 5 per partition, and a fetch returns one of
    // them per partition (maxBytesPerPartition below one batch): a batch is 5 records at most.
    const topic = await kit.topic('it.flow', 2, { retry: true, dlq: true });
    const groupId = kit.group('it.flow.group');
    const records = [];
    for (let seq = 0; seq < 150; seq++) {
      records.push({ ...telemetry('device-a', seq), partition: 0 });
      records.push({ ...telemetry('device-b', seq), partition: 1 });
    }
    await kit.produce(topic, records, 10);

    const handled = new Map<string, number[]>();
    let maxInFlight = 0;
    const consumer = new ContractConsumer({
      kafka: kit.kafka,
      groupId,
      service: 'it-flow',
      logger: silentLogger,
      maxInFlightRecords: 20,
      maxInFlightPerPartition: 15,
      maxBytesPerPartition: 512,
      handlers: [
        defineHandler({
          topic,
          contract: telemetryContract,
          handler: async (value: TelemetryRecord) => {
            maxInFlight = Math.max(maxInFlight, consumer.inFlight);
            await delay(2);
            const seqs = handled.get(value.deviceId) ?? [];
            seqs.push(value.seq ?? -1);
            handled.set(value.deviceId, seqs);
          },
        }),
      ],
    });
    const flow: string[] = [];
    consumer.events.on('partition.paused', (e) => flow.push(`paused:${e.partition}:${e.reason}`));
    consumer.events.on('partition.resumed', (e) => flow.push(`resumed:${e.partition}`));
    await consumer.start();
    try {
      await waitFor(
        () => ([...handled.values()].flat().length >= records.length ? true : undefined),
        { what: 'every record handled' },
      );
    } finally {
      await consumer.stop();
    }
    expect(flow.filter((e) => e.startsWith('paused:')).length).toBeGreaterThan(0);
    expect(flow.filter((e) => e.startsWith('resumed:')).length).toBeGreaterThan(0);
    // Every pause is followed by a resume of the same partition: nothing stays stuck.
    for (const partition of [0, 1]) {
      const events = flow.filter((e) => e.split(':')[1] === String(partition));
      if (events.length > 0) expect(events[events.length - 1]).toBe(`resumed:${partition}`);
    }
    // Checked before each batch, taken whole: at most the budget plus one batch (minus one).
    expect(maxInFlight).toBeLessThanOrEqual(20 + 5 - 1);
    expect(maxInFlight).toBeGreaterThan(0);
    const expected = Array.from({ length: 150 }, (_, i) => i);
    expect(handled.get('device-a')).toEqual(expected);
    expect(handled.get('device-b')).toEqual(expected);
  });

  it('bounds the bytes in flight too: large records pause fetching long before the record limits', async () => {
    // 30 records of 20 kB, one record batch each; a fetch returns one batch (maxBytesPerPartition
    // below one record), so the budget is checked before each record.
    const topic = await kit.topic('it.flow-bytes', 1);
    const groupId = kit.group('it.flow-bytes.group');
    const size = 20_000;
    // What one record counts in the budget at most: its value and a key of up to 4 bytes.
    const oneRecord = size + 4;
    const records = Array.from({ length: 30 }, (_, i) => ({
      key: `k-${i}`,
      value: Buffer.alloc(size, i),
    }));
    await kit.produce(topic, records, 1);

    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    let maxBytes = 0;
    const consumer = new ContractConsumer({
      kafka: kit.kafka,
      groupId,
      service: 'it-flow-bytes',
      logger: silentLogger,
      maxInFlightRecords: 1_000,
      maxInFlightPerPartition: 1_000,
      maxInFlightBytes: 100_000,
      maxBytesPerPartition: 1,
      handlers: [
        defineHandler({
          topic,
          decode: (value) => ({ ok: true, value }),
          handler: async (value: Buffer | null) => {
            maxBytes = Math.max(maxBytes, consumer.inFlightBytes);
            await gate;
            handled.push(value?.[0] ?? -1);
          },
        }),
      ],
    });
    const pauses: string[] = [];
    consumer.events.on('partition.paused', (e) => pauses.push(e.reason));
    await consumer.start();
    try {
      // The first handler holds everything back: fetching must stop on the byte budget.
      await waitFor(() => (pauses.includes('budget') ? true : undefined), {
        what: 'a pause on the budget',
      });
      await delay(500);
      const heldBytes = consumer.inFlightBytes;
      const heldRecords = consumer.inFlight;
      release();
      await waitFor(() => (handled.length === records.length ? true : undefined), {
        what: 'every record handled',
      });
      // Checked before each batch, taken whole: at most the byte budget plus one batch.
      expect(heldBytes).toBeGreaterThanOrEqual(100_000);
      expect(heldBytes).toBeLessThanOrEqual(100_000 + oneRecord);
      expect(heldRecords).toBeLessThanOrEqual(6);
      expect(maxBytes).toBeLessThanOrEqual(100_000 + oneRecord);
      expect(handled).toEqual(records.map((_, i) => i));
      expect(consumer.inFlightBytes).toBe(0);
    } finally {
      release();
      await consumer.stop();
    }
  });

  it('exposes kafka_consumer_lag per partition: records behind while the handler is blocked, zero once caught up', async () => {
    const topic = await kit.topic('it.lag', 1, { retry: true, dlq: true });
    const groupId = kit.group('it.lag.group');
    await kit.produce(
      topic,
      Array.from({ length: 40 }, (_, seq) => telemetry('device-l', seq)),
    );

    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let count = 0;
    const consumer = new ContractConsumer({
      kafka: kit.kafka,
      groupId,
      service: 'it-lag',
      logger: silentLogger,
      handlers: [
        defineHandler({
          topic,
          contract: telemetryContract,
          handler: async () => {
            await gate;
            count++;
          },
        }),
      ],
    });
    await consumer.start();
    try {
      await waitFor(async () => ((await lagOf(groupId, topic, 0)) === 40 ? true : undefined), {
        what: 'lag 40 while the first record is blocked',
      });
      const text = await register.metrics();
      expect(text).toContain(
        `${CONSUMER_METRIC_NAMES.LAG}{group="${groupId}",topic="${topic}",partition="0"} 40`,
      );
      release();
      await waitFor(() => (count === 40 ? true : undefined), { what: 'all records handled' });
      await waitFor(async () => ((await lagOf(groupId, topic, 0)) === 0 ? true : undefined), {
        what: 'lag 0 once caught up',
      });
    } finally {
      release();
      await consumer.stop();
    }
  });
});
