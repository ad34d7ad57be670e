import { HEADERS } from '@streamline/contracts';
import { createTestDatabase, waitFor, type TestDatabase } from '@streamline/testing';
import { Pool } from 'pg';
import { register } from 'prom-client';
import { silentLogger } from '../../logging/messaging-logger';
import { KafkaTestKit } from '../consumer/test/kafka-test-kit';
import { defineSinkTopic, type SinkTopic } from './sink-options';
import { TransactionalSinkConsumer } from './transactional-sink-consumer';

/**
 * The sink mode against real Kafka and Postgres. The target table is a plain log without any key
 * (every write appends): a record applied twice shows as a duplicate row, so these tests see the
 * exactly-once effect itself, not an idempotent upsert hiding a redelivery.
 */
describe('TransactionalSinkConsumer (real Kafka and Postgres)', () => {
  const kit = new KafkaTestKit();
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('sink_mode_it');
    pool = new Pool({ connectionString: database.url, max: 6 });
    await pool.query(`
      CREATE TABLE applied (topic text, partition int, "offset" bigint, value int CHECK (value < 1000));
      CREATE TABLE offsets (consumer_group text, topic text, partition int, next_offset bigint NOT NULL,
        PRIMARY KEY (consumer_group, topic, partition));`);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
    await kit.cleanup();
  });

  function appendLog(topic: string): SinkTopic {
    return defineSinkTopic<number>({
      topic,
      decode: (value) => {
        if (value === null) return { ok: true, value: null };
        const n = Number(value.toString());
        return Number.isInteger(n)
          ? { ok: true, value: n }
          : { ok: false, issues: [{ path: '', message: 'not an integer', code: 'custom' }] };
      },
      write: async (client, records) => {
        await client.query(
          'INSERT INTO applied SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::int[])',
          [
            records.map((r) => r.topic),
            records.map((r) => r.partition),
            records.map((r) => r.offset),
            records.map((r) => r.value),
          ],
        );
      },
    });
  }

  function sink(
    topic: string | SinkTopic,
    groupId: string,
    maxBatchRecords = 50,
    synchronousCommit?: boolean,
  ) {
    return new TransactionalSinkConsumer({
      kafka: kit.kafka,
      groupId,
      service: 'sink-it',
      logger: silentLogger,
      pool,
      offsetsTable: 'offsets',
      topics: [typeof topic === 'string' ? appendLog(topic) : topic],
      maxBatchRecords,
      synchronousCommit,
      maxBatchDelayMs: 50,
      storeRetry: { initialMs: 50, maxMs: 200, multiplier: 2, jitter: 0 },
    });
  }

  async function rows(topic: string): Promise<Array<{ offset: string; n: number }>> {
    const result = await pool.query<{ offset: string; n: number }>(
      `SELECT partition || ':' || "offset" AS offset, count(*)::int AS n
         FROM applied WHERE topic = $1 GROUP BY partition, "offset"`,
      [topic],
    );
    return result.rows;
  }

  async function stored(group: string, topic: string): Promise<number> {
    const result = await pool.query<{ sum: string | null }>(
      'SELECT sum(next_offset)::text AS sum FROM offsets WHERE consumer_group = $1 AND topic = $2',
      [group, topic],
    );
    return Number(result.rows[0]?.sum ?? 0);
  }

  it('resumes from the offsets in the database, whatever Kafka has committed: every record applied exactly once', async () => {
    const topic = await kit.topic('it.sink.resume', 2, { dlq: true });
    const group = kit.group('it.sink.resume');
    await kit.produce(
      topic,
      Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 7}`, value: String(i % 500) })),
    );
    const first = sink(topic, group);
    await first.start();
    await waitFor(async () => ((await stored(group, topic)) === 300 ? true : undefined), {
      what: 'first run applied 300 records',
    });
    await first.stop();
    const processed = await register
      .getSingleMetric('kafka_consumer_records_processed_total')
      ?.get();
    expect(processed?.values.find((v) => v.labels['group'] === group)?.value).toBe(300);

    // Kafka's advisory position is thrown back to the start: only the table's counts.
    const admin = await kit.connect();
    for (const partition of [0, 1]) {
      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition, offset: '0' }] });
    }
    await kit.produce(
      topic,
      Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 7}`, value: String(i) })),
    );
    const second = sink(topic, group);
    await second.start();
    await waitFor(async () => ((await stored(group, topic)) === 400 ? true : undefined), {
      what: 'second run applied the 100 new records',
    });
    await second.stop();

    const applied = await rows(topic);
    expect(applied).toHaveLength(400);
    expect(applied.filter((r) => r.n !== 1)).toEqual([]);
  });

  it('sends undecodable records and records the table refuses to <topic>.dlq and moves on', async () => {
    const topic = await kit.topic('it.sink.dlq', 1, { dlq: true });
    const group = kit.group('it.sink.dlq');
    // "x" fails decoding; 5000 breaks the table's CHECK (a permanent SQL error).
    const values = ['1', 'x', '2', '5000', '3'];
    await kit.produce(
      topic,
      values.map((value) => ({ key: 'k', value })),
    );
    const consumer = sink(topic, group);
    await consumer.start();
    try {
      const letters = await kit.read(`${topic}.dlq`, 2);
      const reasons = letters.map((l) => [
        l.message.value?.toString(),
        l.message.headers?.[HEADERS.DLQ_ORIGIN_OFFSET]?.toString(),
        l.message.headers?.[HEADERS.DLQ_SERVICE]?.toString(),
      ]);
      expect(reasons.sort()).toEqual([
        ['5000', '3', 'sink-it'],
        ['x', '1', 'sink-it'],
      ]);
      expect(
        letters.map((l) => l.message.headers?.[HEADERS.DLQ_ERROR_MESSAGE]?.toString()).join(),
      ).toMatch(/not an integer.*check constraint|check constraint.*not an integer/s);
      await waitFor(async () => ((await stored(group, topic)) === 5 ? true : undefined), {
        what: 'the partition moved past the rejected records',
      });
      const applied = await pool.query<{ value: number }>(
        'SELECT value FROM applied WHERE topic = $1 ORDER BY "offset"',
        [topic],
      );
      expect(applied.rows.map((r) => r.value)).toEqual([1, 2, 3]);
    } finally {
      await consumer.stop();
    }
  });

  it('commits without waiting for the WAL flush only when told, in its own transactions only', async () => {
    const topic = await kit.topic('it.sink.commit', 1, { dlq: true });
    await kit.produce(topic, [{ key: 'k', value: '1' }]);
    const seen = async (synchronousCommit: boolean | undefined): Promise<string[]> => {
      const settings: string[] = [];
      const log = appendLog(topic);
      const probe: SinkTopic = {
        ...log,
        write: async (client, records) => {
          const shown = await client.query('SHOW synchronous_commit');
          settings.push((shown.rows[0] as { synchronous_commit: string }).synchronous_commit);
          await log.write(client, records);
        },
      };
      const group = kit.group('it.sink.commit');
      const consumer = sink(probe, group, 50, synchronousCommit);
      await consumer.start();
      try {
        await waitFor(async () => ((await stored(group, topic)) === 1 ? true : undefined), {
          what: 'the record applied',
        });
      } finally {
        await consumer.stop();
      }
      return settings;
    };
    expect(await seen(undefined)).toEqual(['on']);
    expect(await seen(false)).toEqual(['off']);
    // SET LOCAL: the pooled connections keep the server's setting afterwards.
    const after = await Promise.all(
      Array.from({ length: 6 }, () => pool.query('SHOW synchronous_commit')),
    );
    expect(
      new Set(after.map((r) => (r.rows[0] as { synchronous_commit: string }).synchronous_commit)),
    ).toEqual(new Set(['on']));
  });
});
