import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import type { RawRecord } from '@streamline/messaging';
import { ChangelogCodec, decodeChangelog } from '../state/changelog-codec';
import { mergeAccumulators, toAggregates } from './metric-accumulator';
import { TelemetryWindows, type WindowAggregate } from './telemetry-windows';
import { alignedStart, hoppingStarts } from './window-math';

const MINUTE = 60_000;
const BASE = Date.UTC(2024, 4, 1, 12);
const SPEC = { tumblingMs: MINUTE, hoppingMs: 5 * MINUTE, advanceMs: MINUTE };

interface Reading {
  deviceId: string;
  ts: number;
  metrics: Record<string, number>;
}

// Integer values: sums are exact whatever the order, so windows compare with toEqual.
const readingArb = (spanMs: number) =>
  fc.record({
    deviceId: fc.constantFrom('d-1', 'd-2', 'd-3'),
    ts: fc.integer({ min: BASE, max: BASE + spanMs }),
    metrics: fc.dictionary(fc.constantFrom('t', 'h'), fc.integer({ min: -500, max: 500 }), {
      minKeys: 1,
    }),
  });

/** What a published window says: the comparable part. */
function published(w: WindowAggregate) {
  return {
    kind: w.kind,
    deviceId: w.deviceId,
    start: w.start,
    end: w.end,
    count: w.count,
    metrics: toAggregates(w.metrics),
  };
}

/** Runs readings through one partition's windows, closing after every `closeEvery` readings. */
function run(readings: readonly Reading[], graceMs: number, closeEvery: number) {
  const windows = new TelemetryWindows({ ...SPEC, graceMs });
  const closed: WindowAggregate[] = [];
  const missed: Array<{ reading: Reading; start: number; end: number; kind: string }> = [];
  readings.forEach((r, i) => {
    for (const m of windows.add(r.deviceId, r.ts, r.metrics) ?? [])
      missed.push({ reading: r, ...m });
    if ((i + 1) % closeEvery === 0) closed.push(...windows.closeDue());
  });
  windows.advanceTo(Number.MAX_SAFE_INTEGER);
  closed.push(...windows.closeDue());
  return { closed, missed };
}

/** The oracle: every window of every reading, computed from scratch. */
function oracle(readings: readonly Reading[]) {
  const windows = new TelemetryWindows({ ...SPEC, graceMs: Number.MAX_SAFE_INTEGER / 4 });
  for (const r of readings) windows.add(r.deviceId, r.ts, r.metrics);
  return windows.list().map(published);
}

const key = (w: { kind: string; deviceId: string; start: number }) =>
  `${w.kind}|${w.deviceId}|${w.start}`;
const sorted = <T extends { kind: string; deviceId: string; start: number }>(ws: T[]) =>
  [...ws].sort((a, b) => (key(a) < key(b) ? -1 : 1));

describe('window math', () => {
  it('aligns starts to the epoch, negative times included', () => {
    expect(alignedStart(BASE + 59_999, MINUTE)).toBe(BASE);
    expect(alignedStart(BASE + MINUTE, MINUTE)).toBe(BASE + MINUTE);
    expect(alignedStart(-1, MINUTE)).toBe(-MINUTE);
  });

  it('finds the five hopping windows that hold a time, each holding it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 42 }), (ts) => {
        const starts = hoppingStarts(ts, 5 * MINUTE, MINUTE);
        expect(starts).toHaveLength(5);
        for (const s of starts) {
          expect(alignedStart(s, MINUTE)).toBe(s);
          expect(s <= ts && ts < s + 5 * MINUTE).toBe(true);
        }
      }),
    );
  });
});

describe('TelemetryWindows', () => {
  it('gives the same windows for any order and batching of readings within the grace period', () => {
    const span = 7 * MINUTE;
    fc.assert(
      fc.property(
        fc.array(readingArb(span), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        (readings, closeEvery) => {
          const expected = sorted(oracle(readings));
          // Grace covers the whole span: no order makes a reading late.
          const shuffled = run([...readings].reverse(), span, closeEvery);
          const inOrder = run(
            [...readings].sort((a, b) => a.ts - b.ts),
            span,
            1,
          );
          expect(shuffled.missed).toEqual([]);
          expect(sorted(shuffled.closed.map(published))).toEqual(expected);
          expect(sorted(inOrder.closed.map(published))).toEqual(expected);
        },
      ),
    );
  });

  it('never changes a published window: a reading for a closed window is reported missed, never dropped', () => {
    fc.assert(
      fc.property(
        fc.array(readingArb(12 * MINUTE), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 1, max: 5 }),
        (readings, grace, closeEvery) => {
          const windows = new TelemetryWindows({ ...SPEC, graceMs: grace });
          const publishedAt = new Map<string, ReturnType<typeof published>>();
          const missedBy = new Map<string, Reading[]>();
          readings.forEach((r, i) => {
            for (const m of windows.add(r.deviceId, r.ts, r.metrics) ?? []) {
              const k = key({ ...m, deviceId: r.deviceId });
              // Missed only once the window's end plus grace is behind stream time.
              expect(m.end + grace).toBeLessThanOrEqual(windows.streamTime);
              missedBy.set(k, [...(missedBy.get(k) ?? []), r]);
            }
            if ((i + 1) % closeEvery === 0) {
              for (const w of windows.closeDue()) {
                expect(publishedAt.has(key(w))).toBe(false);
                publishedAt.set(key(w), published(w));
              }
            }
          });
          // Each published window holds exactly the readings of its range that were not missed.
          for (const [k, w] of publishedAt) {
            const late = new Set(missedBy.get(k) ?? []);
            const inside = readings.filter(
              (r) => r.deviceId === w.deviceId && r.ts >= w.start && r.ts < w.end && !late.has(r),
            );
            expect(inside.length).toBe(w.count);
            const sizeOk = w.end - w.start === (w.kind === 'tumbling' ? MINUTE : 5 * MINUTE);
            expect(sizeOk).toBe(true);
          }
        },
      ),
    );
  });

  it('publishes hopping windows equal to the union of the tumbling windows they cover', () => {
    fc.assert(
      fc.property(
        fc.array(readingArb(15 * MINUTE), { minLength: 1, maxLength: 80 }),
        (readings) => {
          const { closed } = run(readings, 20 * MINUTE, 7);
          const tumbling = closed.filter((w) => w.kind === 'tumbling');
          for (const hop of closed.filter((w) => w.kind === 'hopping')) {
            const covered = tumbling.filter(
              (t) => t.deviceId === hop.deviceId && t.start >= hop.start && t.end <= hop.end,
            );
            expect(covered.length).toBeGreaterThan(0);
            const union = covered.reduce(
              (acc, t) => ({
                count: acc.count + t.count,
                metrics: mergeAccumulators(acc.metrics, t.metrics),
              }),
              { count: 0, metrics: mergeAccumulators({}, {}) },
            );
            expect(hop.count).toBe(union.count);
            expect(toAggregates(hop.metrics)).toEqual(toAggregates(union.metrics));
          }
        },
      ),
    );
  });

  it('closes a window once stream time reaches its end plus grace, not before', () => {
    const windows = new TelemetryWindows({ ...SPEC, graceMs: 10_000 });
    windows.add('d-1', BASE + 5_000, { t: 1 });
    windows.add('d-1', BASE + MINUTE + 9_999, { t: 2 });
    expect(windows.closeDue()).toEqual([]);
    windows.add('d-1', BASE + MINUTE + 10_000, { t: 3 });
    const closed = windows.closeDue();
    // The 1-minute window and the one 5-minute window that ends with it.
    expect(closed.map((w) => [w.kind, w.start, w.count])).toEqual([
      ['tumbling', BASE, 1],
      ['hopping', BASE - 4 * MINUTE, 1],
    ]);
    expect(windows.add('d-1', BASE + 1, { t: 9 })).toEqual([
      { kind: 'tumbling', start: BASE, end: BASE + MINUTE },
      { kind: 'hopping', start: BASE - 4 * MINUTE, end: BASE + MINUTE },
    ]);
  });
});

describe('TelemetryWindows state in the changelog', () => {
  const INPUT = 'telemetry-in';

  /** A compacted changelog: the last record per key, tombstones removing it. */
  class Changelog {
    readonly records = new Map<string, KafkaMessage>();
    readonly codec = new ChangelogCodec('changelog', INPUT, 0);
    written = 0;

    write(record: RawRecord): void {
      this.written += 1;
      const key = String(record.key);
      if (record.value === null) this.records.delete(key);
      else
        this.records.set(key, {
          key: Buffer.from(key),
          value: Buffer.from(String(record.value)),
        } as KafkaMessage);
    }

    /** What TelemetryPartition writes after each run: changed panes, evicted ones, stream time. */
    flush(windows: TelemetryWindows): void {
      for (const pane of windows.evicted)
        if (pane.persisted) this.write(this.codec.paneTombstone(pane));
      windows.evicted.length = 0;
      for (const pane of windows.dirty) {
        this.write(this.codec.pane(pane));
        pane.persisted = true;
      }
      windows.dirty.clear();
      this.write(this.codec.streamTime(windows.streamTime));
    }

    restore(): TelemetryWindows {
      const windows = new TelemetryWindows({ ...SPEC, graceMs: 20_000 });
      for (const message of this.records.values()) {
        const entry = decodeChangelog(INPUT, message);
        if (entry?.type === 'stream-time') windows.advanceTo(entry.streamTime);
        else if (entry?.type === 'pane' && entry.pane !== null) windows.restore(entry.pane);
      }
      windows.finishRestore();
      return windows;
    }
  }

  it('a restore after any transaction continues exactly like the instance that wrote the changelog', () => {
    fc.assert(
      fc.property(
        fc.array(readingArb(12 * MINUTE), { minLength: 2, maxLength: 80 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        (readings, every, at) => {
          // A transaction is a run of `every` readings; state survives up to the last commit.
          const commits = Math.ceil(readings.length / every);
          const cut = Math.min(readings.length, (at % commits) * every || every);
          const original = new TelemetryWindows({ ...SPEC, graceMs: 20_000 });
          const changelog = new Changelog();
          readings.slice(0, cut).forEach((r, i) => {
            original.add(r.deviceId, r.ts, r.metrics);
            if ((i + 1) % every === 0 || i + 1 === cut) {
              original.closeDue();
              changelog.flush(original);
            }
          });
          const restored = changelog.restore();
          expect(restored.streamTime).toBe(original.streamTime);
          expect(restored.list().map(published)).toEqual(original.list().map(published));
          const rest = (windows: TelemetryWindows) => {
            const out: Array<ReturnType<typeof published>> = [];
            for (const r of readings.slice(cut)) {
              windows.add(r.deviceId, r.ts, r.metrics);
              out.push(...windows.closeDue().map(published));
            }
            windows.advanceTo(Number.MAX_SAFE_INTEGER);
            return [...out, ...windows.closeDue().map(published)];
          };
          expect(rest(restored)).toEqual(rest(original));
        },
      ),
    );
  });

  it('writes one changelog record per device and pane changed, not one per window', () => {
    const windows = new TelemetryWindows({ ...SPEC, graceMs: 10_000 });
    const changelog = new Changelog();
    for (let i = 0; i < 100; i++) windows.add(`d-${i % 4}`, BASE + i * 100, { t: i });
    changelog.flush(windows);
    // 4 devices × 1 pane, and the stream time: the six windows of each pane are built on close.
    expect(changelog.written).toBe(5);
    expect(windows.size).toBe(4 * 6);
    windows.advanceTo(BASE + 10 * MINUTE);
    const closed = windows.closeDue();
    expect(closed).toHaveLength(24);
    changelog.flush(windows);
    // Every pane went with its last window: a tombstone each, and nothing stays open.
    expect(changelog.records.size).toBe(1);
    expect(windows.size).toBe(0);
  });
});
