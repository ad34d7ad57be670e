import fc from 'fast-check';
import { MIN_EPOCH_MS } from '../../common/timestamp';
import { validate, type ValidationResult } from '../../contract';
import {
  TELEMETRY_WINDOW_MS,
  telemetryWindow5mContract,
  telemetryWindowContract,
  windowIdOf,
  windowStartOf,
} from './telemetry-window.schema';

const START = Date.UTC(2024, 4, 1, 12, 3);
const window = {
  windowId: `dev-1:${START}:60000`,
  deviceId: 'dev-1',
  windowStart: START,
  windowEnd: START + 60_000,
  count: 3,
  metrics: { temperature: { min: 20, max: 22, sum: 63, avg: 21 } },
};

function pathsOf<T>(result: ValidationResult<T>): string[] {
  if (result.ok) throw new Error(`expected a violation, got ${JSON.stringify(result.value)}`);
  return result.issues.map((i) => i.path);
}

describe('telemetry window (agg.telemetry.1m/1)', () => {
  it('is named agg.telemetry.1m version 1 and accepts a window unchanged', () => {
    expect(telemetryWindowContract.schemaId).toBe('agg.telemetry.1m/1');
    expect(validate(telemetryWindowContract, window)).toEqual({ ok: true, value: window });
  });

  it.each([
    ['a window id of another size', { windowEnd: START + 59_999 }, ['windowId']],
    ['a window id of another device', { deviceId: 'dev-2' }, ['windowId']],
    ['an end before the start', { windowEnd: START - 1 }, ['windowEnd']],
    ['an empty window', { count: 0 }, ['count']],
    ['no metrics', { metrics: {} }, ['metrics']],
    ['min above max', { metrics: { t: { min: 5, max: 1, sum: 6, avg: 3 } } }, ['metrics.t.max']],
    [
      'avg outside [min, max]',
      { metrics: { t: { min: 1, max: 2, sum: 3, avg: 7 } } },
      ['metrics.t.avg'],
    ],
    ['a missing sum', { metrics: { t: { min: 1, max: 2, avg: 1.5 } } }, ['metrics.t.sum']],
    [
      'a metric count of zero',
      { metrics: { t: { count: 0, min: 1, max: 1, sum: 1, avg: 1 } } },
      ['metrics.t.count'],
    ],
  ])('rejects %s', (_label, patch, paths) => {
    expect(pathsOf(validate(telemetryWindowContract, { ...window, ...patch }))).toEqual(paths);
  });

  it('keeps the per-metric reading count', () => {
    const counted = { ...window, metrics: { t: { count: 2, min: 1, max: 3, sum: 4, avg: 2 } } };
    expect(validate(telemetryWindowContract, counted)).toEqual({ ok: true, value: counted });
  });

  it('accepts a five-minute hopping window under agg.telemetry.5m/1 with its own id', () => {
    expect(telemetryWindow5mContract.schemaId).toBe('agg.telemetry.5m/1');
    const hop = {
      ...window,
      windowId: windowIdOf('dev-1', START, 300_000),
      windowEnd: START + 300_000,
    };
    expect(validate(telemetryWindow5mContract, hop)).toEqual({ ok: true, value: hop });
  });

  it('tolerates the rounding of a float average, not more', () => {
    const sum = 0.1 + 0.2 + 0.3; // 0.6000000000000001
    const rounded = { min: 0.1, max: 0.3, sum, avg: sum / 3 };
    expect(validate(telemetryWindowContract, { ...window, metrics: { t: rounded } }).ok).toBe(true);
    const equal = { min: 0.1, max: 0.1, sum: 0.1 * 3, avg: (0.1 * 3) / 3 };
    expect(validate(telemetryWindowContract, { ...window, metrics: { t: equal } }).ok).toBe(true);
    const off = { min: 0.1, max: 0.1, sum: 0.3, avg: 0.1001 };
    expect(pathsOf(validate(telemetryWindowContract, { ...window, metrics: { t: off } }))).toEqual([
      'metrics.t.avg',
    ]);
  });
});

describe('windowStartOf', () => {
  it('gives the aligned minute that contains the event time', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_EPOCH_MS, max: Date.UTC(9000, 0, 1) }), (ts) => {
        const start = windowStartOf(ts);
        expect(start % TELEMETRY_WINDOW_MS).toBe(0);
        expect(start).toBeLessThanOrEqual(ts);
        expect(ts).toBeLessThan(start + TELEMETRY_WINDOW_MS);
      }),
    );
    expect(windowStartOf(START + 59_999)).toBe(START);
    expect(windowStartOf(START + 60_000)).toBe(START + 60_000);
  });
});
