import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { silentLogger } from '@streamline/messaging';
import { waitFor } from '@streamline/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { engineFromConfig } from '../src/pipeline/engine-from-config';
import {
  committedOffsetTotal,
  committedWindows,
  createSuiteTopics,
  expectedWindows,
  MINUTE,
  PARTITIONS,
  sendFlush,
  sendReadings,
  suiteConfig,
  suiteEnv,
  suiteNames,
  testKafka,
  withoutFlush,
  type Reading,
  type SuiteNames,
} from './support/aggregator-test-kit';

const REPO_ROOT = resolve(__dirname, '../../..');
const FIXTURE = 'apps/aggregator/test/support/engine.fixture.ts';

function readings(base: number, count: number, devices: number): Reading[] {
  return Array.from({ length: count }, (_, i) => ({
    deviceId: `dev-${i % devices}`,
    ts: base + i * 97,
    metrics: { t: (i * 31) % 89, v: i % 13 },
  }));
}

describe('aggregator state and exactly-once against real Kafka', () => {
  const base = Math.floor((Date.now() - 90 * MINUTE) / MINUTE) * MINUTE;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const topics: string[] = [];
  const groups: string[] = [];
  const children = new Set<ChildProcess>();

  async function setup(label: string): Promise<SuiteNames> {
    const names = suiteNames(label);
    topics.push(...(await createSuiteTopics(admin, names)));
    groups.push(names.groupId);
    return names;
  }

  function spawnEngine(names: SuiteNames): { child: ChildProcess; started: Promise<void> } {
    // node with tsx's loader, not the tsx CLI, so SIGKILL reaches the process that holds the state.
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: 'tsconfig.base.json',
        ...suiteEnv(names, { AGG_MAX_RECORDS_PER_TRANSACTION: '40' }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    const started = new Promise<void>((done) =>
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('STARTED')) done();
      }),
    );
    return { child, started };
  }

  const allCommitted = (names: SuiteNames, total: number) =>
    waitFor(
      async () =>
        (await committedOffsetTotal(admin, names.groupId, names.telemetry)) === total
          ? true
          : undefined,
      {
        what: `all ${total} readings committed`,
        timeoutMs: 60_000,
      },
    );

  beforeAll(async () => {
    kafka = testKafka('agg-crash-it');
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await producer.disconnect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
  });

  it('after kill -9 mid-stream and a restart, read_committed holds exactly the windows of an uninterrupted run', async () => {
    const names = await setup('crash');
    const input = readings(base, 6_000, 40);
    await sendReadings(producer, names.telemetry, input);
    await sendFlush(producer, names.telemetry, base + 60 * MINUTE);
    const total = input.length + PARTITIONS;

    const first = spawnEngine(names);
    await first.started;
    await waitFor(
      async () =>
        (await committedOffsetTotal(admin, names.groupId, names.telemetry)) >= 1_500
          ? true
          : undefined,
      {
        what: 'the first instance to commit part of the input',
      },
    );
    first.child.kill('SIGKILL');
    await new Promise((done) =>
      first.child.exitCode !== null ? done(undefined) : first.child.once('exit', done),
    );
    const atKill = await committedOffsetTotal(admin, names.groupId, names.telemetry);
    expect(atKill).toBeLessThan(total);

    const second = spawnEngine(names);
    await second.started;
    await allCommitted(names, total);
    second.child.kill('SIGTERM');

    expect(withoutFlush(await committedWindows(kafka, admin, names.windows1m))).toEqual(
      expectedWindows(input, MINUTE, MINUTE),
    );
    expect(withoutFlush(await committedWindows(kafka, admin, names.windows5m))).toEqual(
      expectedWindows(input, 5 * MINUTE, MINUTE),
    );
  }, 150_000);

  it('hands partitions with their state to a second instance: the windows are those of one instance', async () => {
    const names = await setup('rebalance');
    const input = readings(base, 3_000, 30);
    const half = input.length / 2;
    const config = suiteConfig(names);
    const a = engineFromConfig('aggregator', kafka, config, silentLogger);
    const b = engineFromConfig('aggregator', kafka, config, silentLogger);
    try {
      await a.start();
      await sendReadings(producer, names.telemetry, input.slice(0, half));
      await allCommitted(names, half);
      expect(a.stats().filter((s) => s.topic === names.telemetry)).toHaveLength(PARTITIONS);

      await b.start();
      const moved = await waitFor(
        () => {
          const taken = b.stats().filter((s) => s.topic === names.telemetry);
          return taken.length > 0 &&
            a.stats().filter((s) => s.topic === names.telemetry).length + taken.length ===
              PARTITIONS
            ? taken
            : undefined;
        },
        { what: 'the second instance to take telemetry partitions', timeoutMs: 45_000 },
      );
      // The partitions came with their open windows, read back from the changelog.
      expect(b.lastRestore?.records).toBeGreaterThan(0);
      expect(moved.some((s) => s.open > 0 && s.streamTime !== null)).toBe(true);

      await sendReadings(producer, names.telemetry, input.slice(half));
      await sendFlush(producer, names.telemetry, base + 60 * MINUTE);
      await allCommitted(names, input.length + PARTITIONS);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(withoutFlush(await committedWindows(kafka, admin, names.windows1m))).toEqual(
      expectedWindows(input, MINUTE, MINUTE),
    );
    expect(withoutFlush(await committedWindows(kafka, admin, names.windows5m))).toEqual(
      expectedWindows(input, 5 * MINUTE, MINUTE),
    );
  });
});
