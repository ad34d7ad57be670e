import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { TelemetrySpool, type SpooledRecord } from './telemetry-spool';

const LIMITS = { maxBytes: 64 * 1024 * 1024, maxRecords: 1_000_000 };
const live = () => new AbortController().signal;

function reading(seq: number): SpooledRecord {
  return {
    topic: 'telemetry',
    key: `dev-${seq % 3}`,
    value: Buffer.from(JSON.stringify({ seq })),
    headers: { schema: 'iot.telemetry/1' },
    mqttTopic: `sensors/dev-${seq % 3}/telemetry`,
    receivedAt: 1_700_000_000_000 + seq,
  };
}

const seqOf = (record: SpooledRecord) =>
  (JSON.parse(record.value.toString()) as { seq: number }).seq;

describe('TelemetrySpool (LMDB)', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-spec-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('gives back, after a reopen at any point, exactly the records appended and not removed, in order', async () => {
    // A step appends a few readings, or removes (acknowledges) the oldest few stored ones.
    const step = fc.oneof(
      fc.record({ append: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ remove: fc.integer({ min: 1, max: 4 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        const dir = freshDir();
        const spool = TelemetrySpool.open(dir, LIMITS);
        const expected: number[] = [];
        let next = 0;
        for (const s of steps) {
          if ('append' in s) {
            const batch = Array.from({ length: s.append }, () => reading(next++));
            await spool.append(batch, live());
            expected.push(...batch.map(seqOf));
          } else {
            const oldest = spool.read(0, s.remove);
            await spool.remove(oldest.map((e) => e.id));
            expected.splice(0, oldest.length);
          }
        }
        // The crash point: whatever was durable when append/remove resolved must come back.
        await spool.close();
        const reopened = TelemetrySpool.open(dir, LIMITS);
        const found = reopened.read(0, 10_000).map((e) => seqOf(e.record));
        const depth = reopened.depth;
        await reopened.close();
        expect(found).toEqual(expected);
        expect(depth).toBe(expected.length);
      }),
      { numRuns: 20 },
    );
    // Every step fsyncs: on a busy machine the runs take a while.
  }, 120_000);

  it('when full, holds an append back (nothing dropped) until Kafka-acknowledged records are removed', async () => {
    const spool = TelemetrySpool.open(freshDir(), { maxBytes: LIMITS.maxBytes, maxRecords: 3 });
    await spool.append([reading(0), reading(1), reading(2)], live());
    expect(spool.isFull()).toBe(true);
    let stored = false;
    const waiting = spool.append([reading(3)], live()).then(() => (stored = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stored).toBe(false);
    await spool.remove(spool.read(0, 1).map((e) => e.id));
    await waiting;
    expect(spool.read(0, 10).map((e) => seqOf(e.record))).toEqual([1, 2, 3]);
    await spool.close();
  });

  it('an append waiting on a full spool gives up when its signal aborts, storing nothing', async () => {
    const spool = TelemetrySpool.open(freshDir(), { maxBytes: LIMITS.maxBytes, maxRecords: 1 });
    await spool.append([reading(0)], live());
    const abort = new AbortController();
    const waiting = spool.append([reading(1)], abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow(/aborted/);
    expect(spool.depth).toBe(1);
    await spool.close();
  });
});
