import { telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import { waitFor } from '@streamline/testing';
import { silentLogger } from '../../logging/messaging-logger';
import { defineHandler } from './consumer-options';
import { ContractConsumer } from './contract-consumer';
import { delay, KafkaTestKit, telemetry } from './test/kafka-test-kit';

describe('ContractConsumer ordering and commits against the real broker', () => {
  const kit = new KafkaTestKit();

  afterAll(() => kit.cleanup());

  it('handles each partition strictly in order while partitions run concurrently, and commits everything on stop', async () => {
    const topic = await kit.topic('it.order', 4, { retry: true, dlq: true });
    const groupId = kit.group('it.order.group');
    const keys = Array.from({ length: 24 }, (_, i) => `device-${i}`);
    const perKey = 25;
    const records = [];
    for (let seq = 0; seq < perKey; seq++)
      for (const key of keys) records.push(telemetry(key, seq));
    await kit.produce(topic, records);

    const handled = new Map<string, number[]>();
    const partitionsOfKey = new Map<string, Set<number>>();
    let active = 0;
    let maxActive = 0;
    const consumer = new ContractConsumer({
      kafka: kit.kafka,
      groupId,
      service: 'it-order',
      logger: silentLogger,
      partitionsConsumedConcurrently: 4,
      handlers: [
        defineHandler({
          topic,
          contract: telemetryContract,
          handler: async (value: TelemetryRecord, context) => {
            active++;
            maxActive = Math.max(maxActive, active);
            // Random delays shuffle the interleaving between partitions from run to run.
            await delay(Math.floor(Math.random() * 4));
            const seqs = handled.get(value.deviceId) ?? [];
            seqs.push(value.seq ?? -1);
            handled.set(value.deviceId, seqs);
            const partitions = partitionsOfKey.get(value.deviceId) ?? new Set<number>();
            partitions.add(context.partition);
            partitionsOfKey.set(value.deviceId, partitions);
            active--;
          },
        }),
      ],
    });
    await consumer.start();
    try {
      await waitFor(
        () => ([...handled.values()].flat().length >= records.length ? true : undefined),
        { what: 'every record handled' },
      );
    } finally {
      await consumer.stop();
    }

    for (const key of keys) {
      // Strictly increasing and complete: no reordering, no gap, no duplicate.
      expect(handled.get(key)).toEqual(Array.from({ length: perKey }, (_, i) => i));
      expect(partitionsOfKey.get(key)?.size).toBe(1);
    }
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(4);

    const admin = await kit.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await kit.committed(groupId, topic);
    for (const end of ends) expect(committed.get(end.partition)).toBe(Number(end.high));
  });

  it('keeps consuming batch after batch with a synchronous handler (no await on the hot path)', async () => {
    const topic = await kit.topic('it.sync', 1, { retry: true, dlq: true });
    const groupId = kit.group('it.sync.group');
    const handled: number[] = [];
    const consumer = new ContractConsumer({
      kafka: kit.kafka,
      groupId,
      service: 'it-sync',
      logger: silentLogger,
      handlers: [
        defineHandler({
          topic,
          contract: telemetryContract,
          handler: (value: TelemetryRecord) => {
            handled.push(value.seq ?? -1);
          },
        }),
      ],
    });
    await consumer.start();
    try {
      // Three rounds, each produced after the previous one was handled: three separate fetches.
      for (let round = 0; round < 3; round++) {
        const seqs = Array.from({ length: 10 }, (_, i) => round * 10 + i);
        await kit.produce(
          topic,
          seqs.map((seq) => telemetry('device-s', seq)),
        );
        await waitFor(() => (handled.length >= (round + 1) * 10 ? true : undefined), {
          what: `round ${round} handled`,
        });
      }
    } finally {
      await consumer.stop();
    }
    expect(handled).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect((await kit.committed(groupId, topic)).get(0)).toBe(30);
  });
});
