import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import { waitFor } from '@streamline/testing';
import { silentLogger } from '../../logging/messaging-logger';
import { defineHandler } from './consumer-options';
import { ContractConsumer } from './contract-consumer';
import { KafkaTestKit, telemetry } from './test/kafka-test-kit';

const WORKSPACE = resolve(__dirname, '../../../../..');
const FIXTURE = resolve(__dirname, 'test/slow-consumer.fixture.ts');

function handledLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

describe('ContractConsumer commits only after success (kill -9), against the real broker', () => {
  const kit = new KafkaTestKit();
  const dir = mkdtempSync(join(tmpdir(), 'consumer-crash-'));

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await kit.cleanup();
  });

  it('loses nothing when the consumer is killed mid-batch: a restarted member of the group handles the rest', async () => {
    const topic = await kit.topic('it.crash', 3, { retry: true, dlq: true });
    const groupId = kit.group('it.crash.group');
    const records = [];
    for (let seq = 0; seq < 12; seq++)
      for (let d = 0; d < 15; d++) records.push(telemetry(`device-${d}`, seq));
    await kit.produce(topic, records);

    const outFile = join(dir, 'handled.txt');
    const child = spawn(
      join(WORKSPACE, 'node_modules/.bin/tsx'),
      ['--tsconfig', 'tsconfig.base.json', FIXTURE],
      {
        cwd: WORKSPACE,
        env: { ...process.env, TOPIC: topic, GROUP_ID: groupId, OUT_FILE: outFile, DELAY_MS: '40' },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: tsx runs the script in a child process, and both must die.
        detached: true,
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitFor(() => (handledLines(outFile).length >= 40 ? true : undefined), {
        timeoutMs: 45_000,
        what: `the child to handle 40 records (stderr: ${stderr})`,
      });
      // Kill it once it has committed something, so the restart has a position to resume from.
      await waitFor(
        async () => {
          const committed = await kit.committed(groupId, topic);
          return [...committed.values()].some((offset) => offset > 0) ? true : undefined;
        },
        { what: 'a first commit by the child' },
      );
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      await exited(child);
    }
    const byChild = handledLines(outFile);
    expect(byChild.length).toBeLessThan(records.length);
    expect(byChild.length).toBeGreaterThan(0);

    // Every offset the group committed was handled by the child first.
    const committedAtKill = await kit.committed(groupId, topic);
    const childHandled = new Set(byChild.map((line) => line.split(':').slice(0, 2).join(':')));
    for (const [partition, committed] of committedAtKill) {
      for (let offset = 0; offset < committed; offset++) {
        expect(childHandled.has(`${partition}:${offset}`)).toBe(true);
      }
    }

    const byRestart: string[] = [];
    const restarted = new ContractConsumer({
      kafka: kit.kafka,
      groupId,
      service: 'it-crash',
      logger: silentLogger,
      sessionTimeoutMs: 6_000,
      handlers: [
        defineHandler({
          topic,
          contract: telemetryContract,
          handler: (value: TelemetryRecord) => {
            byRestart.push(`${value.deviceId}:${value.seq}`);
          },
        }),
      ],
    });
    const expected = records.map((r) => {
      const value = JSON.parse(String(r.value)) as TelemetryRecord;
      return `${value.deviceId}:${value.seq}`;
    });
    const handledAnywhere = () =>
      new Set([...byChild.map((line) => line.split(':').slice(2).join(':')), ...byRestart]);
    await restarted.start();
    try {
      await waitFor(() => (expected.every((id) => handledAnywhere().has(id)) ? true : undefined), {
        timeoutMs: 45_000,
        what: 'every record handled by the child or the restarted consumer',
      });
    } finally {
      await restarted.stop();
    }
    expect([...handledAnywhere()].sort()).toEqual([...new Set(expected)].sort());
    // The restart resumed from the committed offsets instead of starting over.
    const committedTotal = [...committedAtKill.values()].reduce(
      (sum, o) => sum + Math.max(0, o),
      0,
    );
    expect(committedTotal).toBeGreaterThan(0);
    expect(byRestart.length).toBeLessThanOrEqual(records.length - committedTotal);
  });
});
