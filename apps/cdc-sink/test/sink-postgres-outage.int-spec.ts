import { startTestService, waitFor, type RunningTestService } from '@streamline/testing';
import { cdcSinkService } from '../src/cdc-sink.service';
import { PrivatePostgres } from './support/private-postgres';
import { SinkTestEnv } from './support/sink-test-env';

const OUTAGE_MS = 30_000;
const START = Date.parse('2026-11-30T00:00:00Z');

function sessions(from: number, count: number) {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const userId = `user-${i % 25}`;
    const sessionStart = START + i * 1_000;
    return {
      key: userId,
      value: {
        sessionId: `${userId}:${sessionStart}`,
        userId,
        sessionStart,
        sessionEnd: sessionStart + 500,
        eventCount: 1,
        types: { view: 1 },
      },
    };
  });
}

/**
 * Postgres stopped for 30 s in the middle of a stream: the sink pauses, reports `sink` not-ready,
 * and once Postgres is back applies everything that arrived meanwhile. The Postgres is a private
 * cluster of this test (the machine's shared one is never touched).
 */
describe('cdc-sink while its Postgres is down', () => {
  const names = new SinkTestEnv();
  let postgres: PrivatePostgres;
  let sink: RunningTestService;

  beforeAll(async () => {
    postgres = await PrivatePostgres.start();
    await names.setUp({ database: postgres.database() });
    sink = await startTestService(cdcSinkService, names.env());
  }, 90_000);

  afterAll(async () => {
    await sink?.close();
    await names.cleanup();
    await postgres?.destroy();
  }, 60_000);

  const ready = async () => {
    const response = await fetch(`${sink.baseUrl}/health/ready`);
    return { status: response.status, body: await response.text() };
  };

  it('pauses, reports not-ready, and resumes without loss', async () => {
    const topic = names.topics.sessions;
    await names.produce(topic, sessions(0, 200));
    await names.waitForStored(topic, 200);
    await waitFor(async () => ((await ready()).status === 200 ? true : undefined));

    await postgres.pause();
    // Records keep arriving while the database is away.
    await names.produce(topic, sessions(200, 150));
    const down = await waitFor(async () => {
      const state = await ready();
      return state.status === 503 && state.body.includes('sink paused') ? state : undefined;
    });
    expect(down.body).toContain('"postgres"');
    await names.produce(topic, sessions(350, 150));
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await postgres.resume();

    await names.waitForStored(topic, 500, 90_000);
    const rows = await names.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM analytics.user_sessions',
    );
    expect(Number(rows[0]?.n)).toBe(500);
    await waitFor(async () => ((await ready()).status === 200 ? true : undefined));
  }, 180_000);
});
