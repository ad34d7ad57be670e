import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  readTopicToEnd,
  TEST_ENV,
  uniqueName,
  waitFor,
  type ReadRecord,
} from '@streamline/testing';
import type { Admin, Kafka } from 'kafkajs';
import { silentLogger } from '../../logging/messaging-logger';
import { createKafka } from '../kafka-client';
import { KafkaProducer } from '../producer/kafka-producer';
import { ensureTopics } from '../topic-admin';
import { ExactlyOnceProcessor } from './exactly-once-processor';
import { PartitionProducers } from './partition-producers';

const REPO_ROOT = resolve(__dirname, '../../../../..');
const FIXTURE = 'libs/messaging/src/kafka/eos/test-support/eos-processor.fixture.ts';

interface Setup {
  input: string;
  output: string;
  groupId: string;
  prefix: string;
}

/** `n` of every output a reader saw, sorted, to compare with the inputs. */
const ns = (records: ReadRecord[]) =>
  records.map((r) => (JSON.parse(r.value) as { n: number }).n).sort((a, b) => a - b);
const range = (count: number) => Array.from({ length: count }, (_, i) => i);

describe('ExactlyOnceProcessor against the real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topics: string[] = [];
  const groups: string[] = [];
  const children = new Set<ChildProcess>();

  async function setup(partitions: number, inputs: number): Promise<Setup> {
    const s = {
      input: uniqueName('it.eos.in'),
      output: uniqueName('it.eos.out'),
      groupId: uniqueName('it.eos.group'),
      prefix: uniqueName('it.eos.tx'),
    };
    topics.push(s.input, s.output);
    groups.push(s.groupId);
    await ensureTopics(admin, [
      { name: s.input, partitions },
      { name: s.output, partitions },
    ]);
    const producer = new KafkaProducer(kafka);
    await Promise.all(
      range(inputs).map((n) =>
        producer.send({ topic: s.input, key: `k-${n % 30}`, value: JSON.stringify({ n }) }),
      ),
    );
    await producer.close();
    return s;
  }

  async function committedTotal(groupId: string, topic: string): Promise<number> {
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets[0]?.partitions ?? []).reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );
  }

  function spawnFixture(
    s: Setup,
    slowMs: number,
  ): { child: ChildProcess; lines: AsyncIterableIterator<string> } {
    // node itself with tsx's loader, not the tsx CLI: the CLI runs the script in a child
    // process, and a SIGKILL to the CLI would leave that child running.
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: 'tsconfig.base.json',
        KAFKA_BROKERS: TEST_ENV.kafkaBrokers.join(','),
        INPUT_TOPIC: s.input,
        OUTPUT_TOPIC: s.output,
        GROUP_ID: s.groupId,
        TRANSACTIONAL_ID_PREFIX: s.prefix,
        MAX_PER_TRANSACTION: '10',
        SLOW_MS: String(slowMs),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[
      Symbol.asyncIterator
    ]();
    return { child, lines };
  }

  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((done) => child.once('exit', () => done()));

  beforeAll(async () => {
    kafka = createKafka({
      brokers: TEST_ENV.kafkaBrokers,
      clientId: 'eos-it',
      logger: silentLogger,
    });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
  });

  it('outputs every input exactly once (read_committed) when the processor is killed -9 mid-transaction and another takes over', async () => {
    const inputs = 300;
    const s = await setup(3, inputs);

    const first = spawnFixture(s, 150);
    // Kill on the 10th commit about to happen: its outputs and offsets are in an open transaction.
    let beforeCommits = 0;
    for await (const line of first.lines) {
      if (line.startsWith('BEFORE_COMMIT') && ++beforeCommits === 10) break;
    }
    first.child.kill('SIGKILL');
    await exited(first.child);
    const committedAtKill = await committedTotal(s.groupId, s.input);
    expect(committedAtKill).toBeGreaterThan(0);
    expect(committedAtKill).toBeLessThan(inputs);

    const second = spawnFixture(s, 0);
    // The group moves the dead member's partitions once its session (6 s) expires.
    await waitFor(
      async () => ((await committedTotal(s.groupId, s.input)) === inputs ? true : undefined),
      {
        what: 'the second processor to commit every input',
        timeoutMs: 45_000,
      },
    );
    second.child.kill('SIGTERM');
    await exited(second.child);

    const committed = await readTopicToEnd(kafka, admin, s.output, 'read_committed');
    expect(ns(committed)).toEqual(range(inputs));
    for (const record of committed) {
      const { n, doubled } = JSON.parse(record.value) as { n: number; doubled: number };
      expect(doubled).toBe(n * 2);
      expect(record.key).toBe(`k-${n % 30}`);
    }
  });

  it('aborts a failed transaction: read_committed never sees its records, and the inputs are processed again', async () => {
    const inputs = 20;
    const s = await setup(1, inputs);
    let failOnce = true;
    const processor = new ExactlyOnceProcessor({
      kafka,
      groupId: s.groupId,
      inputTopics: [s.input],
      transactionalIdPrefix: s.prefix,
      maxRecordsPerTransaction: 5,
      failureBackoffMs: 100,
      transform: async (records) =>
        records.map((r) => ({ topic: s.output, key: r.key, value: r.value })),
      beforeCommit: async () => {
        // Outputs and offsets are in the transaction now: failing here must abort both.
        if (failOnce) {
          failOnce = false;
          throw new Error('injected failure before commit');
        }
      },
    });
    await processor.start();
    try {
      await waitFor(
        async () => ((await committedTotal(s.groupId, s.input)) === inputs ? true : undefined),
        {
          what: 'every input committed',
        },
      );
    } finally {
      await processor.stop();
    }
    expect(failOnce).toBe(false);
    expect(ns(await readTopicToEnd(kafka, admin, s.output, 'read_committed'))).toEqual(
      range(inputs),
    );
    // The aborted attempt's records (up to 5) are in the log all the same: only read_committed hides them.
    const uncommitted = await readTopicToEnd(kafka, admin, s.output, 'read_uncommitted');
    expect(uncommitted.length).toBeGreaterThan(inputs);
    expect(uncommitted.length).toBeLessThanOrEqual(inputs + 5);
  });

  it("fences a zombie: once a partition's next owner initialises its producer, the old one cannot commit", async () => {
    const s = await setup(1, 1);
    const options = {
      transactionalIdPrefix: s.prefix,
      transactionTimeoutMs: 60_000,
      logger: silentLogger,
    };
    const zombie = new PartitionProducers(kafka, options);
    const successor = new PartitionProducers(kafka, options);
    try {
      const old = await zombie.acquire(s.input, 0);
      const transaction = await old.producer.transaction();
      await transaction.send({ topic: s.output, messages: [{ key: 'k', value: 'zombie' }] });
      await successor.acquire(s.input, 0);
      await expect(transaction.commit()).rejects.toThrow(/fenc|epoch/i);
    } finally {
      await zombie.dropAll();
      await successor.dropAll();
    }
    expect(await readTopicToEnd(kafka, admin, s.output, 'read_committed')).toEqual([]);
  });
});
