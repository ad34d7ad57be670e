import { telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import { waitFor } from '@streamline/testing';
import { silentLogger } from '../../logging/messaging-logger';
import { defineHandler } from './consumer-options';
import { ContractConsumer } from './contract-consumer';
import { delay, KafkaTestKit, telemetry } from './test/kafka-test-kit';

describe('ContractConsumer across a rebalance, against the real broker', () => {
  const kit = new KafkaTestKit();

  afterAll(() => kit.cleanup());

  it('hands partitions over to a new member without losing a record, and both commit what they did', async () => {
    const topic = await kit.topic('it.rebalance', 4, { retry: true, dlq: true });
    const groupId = kit.group('it.rebalance.group');
    const records = [];
    for (let seq = 0; seq < 12; seq++)
      for (let d = 0; d < 20; d++) records.push(telemetry(`device-${d}`, seq));
    await kit.produce(topic, records);

    const handled = { a: [] as string[], b: [] as string[] };
    const member = (name: 'a' | 'b') =>
      new ContractConsumer({
        kafka: kit.kafka,
        groupId,
        service: `it-rebalance-${name}`,
        logger: silentLogger,
        heartbeatIntervalMs: 500,
        handlers: [
          defineHandler({
            topic,
            contract: telemetryContract,
            handler: async (value: TelemetryRecord) => {
              await delay(30);
              handled[name].push(`${value.deviceId}:${value.seq}`);
            },
          }),
        ],
      });
    const a = member('a');
    const b = member('b');
    const joinsOfA: Array<Record<string, number[]>> = [];
    const joinsOfB: Array<Record<string, number[]>> = [];
    a.events.on('group.joined', ({ assignment }) => joinsOfA.push(assignment));
    b.events.on('group.joined', ({ assignment }) => joinsOfB.push(assignment));
    await a.start();
    try {
      await waitFor(() => (handled.a.length >= 30 ? true : undefined), { what: 'a under way' });
      await b.start();
      const expected = new Set(
        records.map((r) => {
          const value = JSON.parse(String(r.value)) as TelemetryRecord;
          return `${value.deviceId}:${value.seq}`;
        }),
      );
      await waitFor(
        () => {
          const seen = new Set([...handled.a, ...handled.b]);
          return [...expected].every((id) => seen.has(id)) ? true : undefined;
        },
        { timeoutMs: 45_000, what: 'every record handled by a or b' },
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    // The second member really took partitions over from the first.
    expect(joinsOfA.length).toBeGreaterThanOrEqual(2);
    expect(joinsOfA[0]?.[topic]).toHaveLength(4);
    expect(joinsOfA[1]?.[topic]?.length ?? 0).toBeLessThan(4);
    expect(joinsOfB[0]?.[topic]?.length ?? 0).toBeGreaterThan(0);
    expect(handled.b.length).toBeGreaterThan(0);

    const admin = await kit.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await kit.committed(groupId, topic);
    for (const end of ends) expect(committed.get(end.partition)).toBe(Number(end.high));
  });
});
