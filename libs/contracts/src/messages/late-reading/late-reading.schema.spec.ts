import { validate, type ValidationResult } from '../../contract';
import { LATE_REASONS, lateReadingContract } from './late-reading.schema';

const START = Date.UTC(2024, 4, 1, 12, 3);
const late = {
  reading: { deviceId: 'dev-1', ts: START + 5_000, metrics: { t: 1 }, ingestedAt: START + 90_000 },
  windowStart: START,
  windowEnd: START + 60_000,
  streamTime: START + 75_000,
  reason: LATE_REASONS.WINDOW_CLOSED,
};

function pathsOf<T>(result: ValidationResult<T>): string[] {
  if (result.ok) throw new Error(`expected a violation, got ${JSON.stringify(result.value)}`);
  return result.issues.map((i) => i.path);
}

describe('late reading (iot.telemetry.late/1)', () => {
  it('is named iot.telemetry.late version 1 and accepts a late reading unchanged', () => {
    expect(lateReadingContract.schemaId).toBe('iot.telemetry.late/1');
    expect(validate(lateReadingContract, late)).toEqual({ ok: true, value: late });
  });

  it.each([
    ['a reading outside the window it missed', { windowStart: START + 10_000 }, ['reading.ts']],
    ['an empty window', { windowEnd: START }, ['windowEnd', 'reading.ts']],
    ['a reason with spaces', { reason: 'too late' }, ['reason']],
    ['no stream time', { streamTime: undefined }, ['streamTime']],
  ])('rejects %s', (_label, patch, paths) => {
    expect(pathsOf(validate(lateReadingContract, { ...late, ...patch }))).toEqual(paths);
  });
});
