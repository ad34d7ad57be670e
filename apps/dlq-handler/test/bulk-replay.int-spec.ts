import { randomUUID } from 'node:crypto';
import { HEADERS } from '@streamline/contracts';
import { KafkaProducerService } from '@streamline/nest-messaging';
import { waitFor, type RunningTestService } from '@streamline/testing';
import { BulkReplayRunner } from '../src/replay/bulk-replay.runner';
import { buildReplayRecord } from '../src/replay/replay-record';
import { ReplaysRepository } from '../src/replay/replays.repository';
import {
  DlqHarness,
  dlqHeaders,
  http,
  storedLetters,
  type ReadRecord,
} from './support/dlq-harness';

const FAST = { DLQ_REPLAY_CONCURRENCY: '1', DLQ_REPLAY_CHUNK: '2', DLQ_REPLAY_PAUSE_MS: '150' };

async function seed(h: DlqHarness, service: RunningTestService, count: number): Promise<string> {
  const topic = h.name('bulk');
  await h.createTopics([topic, `${topic}.dlq`]);
  await h.produce(
    `${topic}.dlq`,
    Array.from({ length: count }, (_, i) => ({
      key: `k-${i}`,
      value: i % 2 === 0 ? `{"n":${i}}` : Buffer.from([0xff, i]),
      headers: dlqHeaders(topic, { 'x-n': String(i) }),
    })),
  );
  await storedLetters(service, topic, count);
  return topic;
}

async function completed(service: RunningTestService, replayId: string) {
  return waitFor(
    async () => {
      const progress = await http(service, 'GET', `/replays/${replayId}`);
      return progress.body.status === 'completed' ? progress.body : undefined;
    },
    { timeoutMs: 45_000, what: `replay ${replayId} completed` },
  );
}

/** Each dead letter replayed exactly once: one record per `dlq.replay-of`, `count` in all. */
function expectExactlyOnce(records: readonly ReadRecord[], count: number): void {
  const ids = records.map((r) => r.message.headers?.[HEADERS.DLQ_REPLAY_OF]?.toString());
  expect(records).toHaveLength(count);
  expect(new Set(ids).size).toBe(count);
}

describe('bulk replays on the DLQ_REPLAY work queue (real Kafka, NATS, Postgres)', () => {
  let h: DlqHarness;
  let a: RunningTestService;

  beforeAll(async () => {
    h = await DlqHarness.create(FAST);
    a = await h.start();
  });

  afterAll(() => h?.cleanup());

  it('answers a dry run with counts and changes nothing; a real one replays each dead letter once', async () => {
    const topic = await seed(h, a, 9);
    const [, toDiscard] = await storedLetters(a, topic, 9);
    await http(a, 'DELETE', `/dead-letters/${toDiscard.id}`);
    const dry = await http(a, 'POST', '/dead-letters/replay', { topic, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({
      dryRun: true,
      matched: 8,
      replayable: 8,
      overLimit: 0,
      noTarget: 0,
    });
    const stillNew = await http(a, 'GET', `/dead-letters?topic=${topic}&status=new`);
    expect(stillNew.body.items).toHaveLength(8);

    const started = await http(a, 'POST', '/dead-letters/replay', { topic });
    expect(started.status).toBe(202);
    const progress = await completed(a, started.body.replayId);
    expect(progress).toMatchObject({ matched: 8, replayed: 8, skipped: 0, runs: 1 });
    const records = await h.read(topic, 8, 1_000);
    expectExactlyOnce(records, 8);
    expect(records.map((r) => r.message.headers?.['x-n']?.toString())).not.toContain(
      toDiscard.headers['x-n'],
    );
    const binary = records.find((r) => r.message.key?.toString() === 'k-1');
    expect(binary?.message.value).toEqual(Buffer.from([0xff, 1]));
    const after = await http(a, 'GET', `/dead-letters?topic=${topic}&status=replayed`);
    expect(after.body.items).toHaveLength(8);
  });

  it('after a crash between send and checkpoint, sends only what had not reached Kafka', async () => {
    const topic = await seed(h, a, 6);
    const replays = a.app.get(ReplaysRepository);
    const producer = a.app.get(KafkaProducerService);
    const rows = await replays.db.query(
      'SELECT * FROM dlq.dead_letters WHERE origin_topic = $1 ORDER BY id',
      [topic],
    );
    const replayId = randomUUID();
    await replays.create({
      id: replayId,
      filter: { topic, status: 'new' },
      targetTopic: undefined,
      maxId: rows[5].id,
      matched: 6,
    });
    // The state a crash leaves: four claimed, end offsets saved, two of them already written.
    const ends = (await (await h.connect()).fetchTopicOffsets(topic)).map((o) => ({
      topic,
      partition: o.partition,
      offset: o.high,
    }));
    await replays.claim(
      replayId,
      rows.slice(0, 4).map((r: { id: string }) => ({ id: r.id, topic })),
      [],
      ends,
    );
    for (const row of rows.slice(0, 2)) {
      await producer.send(buildReplayRecord(row, topic, { replayId }));
    }
    await a.app.get(BulkReplayRunner).run(replayId);
    const records = await h.read(topic, 6, 1_000);
    expectExactlyOnce(records, 6);
    const progress = await http(a, 'GET', `/replays/${replayId}`);
    expect(progress.body).toMatchObject({ status: 'completed', replayed: 6 });
  });

  it('shares bulk replays between two instances, each replay run once', async () => {
    const b = await h.start();
    await waitFor(async () =>
      (await http(b, 'GET', '/health/ready')).status === 200 ? true : undefined,
    );
    const topics = [
      await seed(h, a, 4),
      await seed(h, a, 4),
      await seed(h, a, 4),
      await seed(h, a, 4),
    ];
    const ids: string[] = [];
    for (const topic of topics) {
      ids.push((await http(b, 'POST', '/dead-letters/replay', { topic })).body.replayId);
    }
    const runs = await Promise.all(ids.map((id) => completed(a, id)));
    expect(runs.every((r) => r.runs === 1)).toBe(true);
    expect(new Set(runs.map((r) => r.worker)).size).toBe(2);
    for (const topic of topics) expectExactlyOnce(await h.read(topic, 4, 500), 4);
  });
});
