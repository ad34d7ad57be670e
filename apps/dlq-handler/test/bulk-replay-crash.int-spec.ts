import { HEADERS } from '@streamline/contracts';
import {
  startServiceProcess,
  waitFor,
  type RunningTestService,
  type ServiceProcess,
} from '@streamline/testing';
import { DlqHarness, dlqHeaders, http, storedLetters } from './support/dlq-harness';

const COUNT = 40;
/** Starting a service through ts-node takes a while on a busy 2-core machine. */
const TEST_TIMEOUT_MS = 300_000;

describe('a bulk replay interrupted by kill -9 (real Kafka, NATS, Postgres)', () => {
  let h: DlqHarness;
  let child: ServiceProcess | undefined;

  beforeAll(async () => {
    h = await DlqHarness.create({
      DLQ_REPLAY_CONCURRENCY: '1',
      DLQ_REPLAY_CHUNK: '3',
      DLQ_REPLAY_PAUSE_MS: '200',
      // A command whose runner died is handed to another instance after this long.
      DLQ_REPLAY_ACK_WAIT_MS: '3000',
    });
  });

  afterAll(async () => {
    await child?.kill9();
    await h?.cleanup();
  });

  it(
    'completes after a restart without replaying anything twice',
    async () => {
      const topic = h.name('crash');
      await h.createTopics([topic, `${topic}.dlq`]);
      await h.produce(
        `${topic}.dlq`,
        Array.from({ length: COUNT }, (_, i) => ({
          key: `k-${i}`,
          value: `{"n":${i}}`,
          headers: dlqHeaders(topic),
        })),
      );
      // Its real main.ts in a child process, so kill -9 really kills it mid-replay.
      child = await startServiceProcess('dlq-handler', h.names.env);
      await child.waitReady(150_000);
      const running = { baseUrl: child.baseUrl } as RunningTestService;
      await storedLetters(running, topic, COUNT);
      const started = await http(running, 'POST', '/dead-letters/replay', { topic });
      expect(started.status).toBe(202);
      const replayId: string = started.body.replayId;
      await waitFor(
        async () => {
          const progress = await http(running, 'GET', `/replays/${replayId}`);
          return progress.body.replayed >= 9 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 50, what: 'the replay half-way' },
      );
      await child.kill9();

      const survivor = await h.start();
      const done = await waitFor(
        async () => {
          const progress = await http(survivor, 'GET', `/replays/${replayId}`);
          return progress.body.status === 'completed' ? progress.body : undefined;
        },
        { timeoutMs: 90_000, what: 'the replay completed by the survivor' },
      );
      expect(done).toMatchObject({ replayed: COUNT, skipped: 0 });
      expect(done.runs).toBeGreaterThanOrEqual(2);
      const records = await h.read(topic, COUNT, 1_500);
      const ids = records.map((r) => r.message.headers?.[HEADERS.DLQ_REPLAY_OF]?.toString());
      expect(records).toHaveLength(COUNT);
      expect(new Set(ids).size).toBe(COUNT);
      const replayed = await http(
        survivor,
        'GET',
        `/dead-letters?topic=${topic}&status=replayed&limit=500`,
      );
      expect(replayed.body.items).toHaveLength(COUNT);
      expect(replayed.body.items.every((i: { replayCount: number }) => i.replayCount === 1)).toBe(
        true,
      );
    },
    TEST_TIMEOUT_MS,
  );
});
