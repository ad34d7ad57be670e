import fc from 'fast-check';
import { validate, type ValidationResult } from '../../contract';
import { ALERT_RULES, alertContract, alertIdOf } from './alert.schema';

const START = Date.UTC(2024, 4, 1, 12, 3);
const base = {
  deviceId: 'dev-1',
  rule: ALERT_RULES.THRESHOLD_MAX,
  metric: 'temperature',
  value: 91.5,
  threshold: 80,
  windowStart: START,
  windowEnd: START + 60_000,
};
const alert = { ...base, alertId: alertIdOf(base) };

function pathsOf<T>(result: ValidationResult<T>): string[] {
  if (result.ok) throw new Error(`expected a violation, got ${JSON.stringify(result.value)}`);
  return result.issues.map((i) => i.path);
}

describe('alert (alerts.telemetry/1)', () => {
  it('accepts an alert unchanged', () => {
    expect(alertContract.schemaId).toBe('alerts.telemetry/1');
    expect(validate(alertContract, alert)).toEqual({ ok: true, value: alert });
  });

  it.each([
    ['an alertId with a space', { alertId: 'a b' }, ['alertId']],
    ['an unsafe deviceId', { deviceId: 'dev>1' }, ['deviceId']],
    ['a non-number value', { value: '91' }, ['value']],
    ['a window that ends before it starts', { windowEnd: START }, ['windowEnd']],
    ['an empty rule', { rule: '' }, ['rule']],
  ])('rejects %s', (_label, patch, paths) => {
    expect(pathsOf(validate(alertContract, { ...alert, ...patch }))).toEqual(paths);
  });
});

describe('alertIdOf', () => {
  const parts = fc.record({
    deviceId: fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/),
    rule: fc.constantFrom(...Object.values(ALERT_RULES)),
    metric: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    windowStart: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(9000, 0, 1) }),
  });

  it('is the same for the same breach and passes the schema (it is the Nats-Msg-Id)', () => {
    fc.assert(
      fc.property(parts, (p) => {
        expect(alertIdOf({ ...p })).toBe(alertIdOf(p));
        const result = validate(alertContract, {
          ...p,
          metric: p.metric,
          value: 1,
          threshold: 0,
          windowEnd: p.windowStart + 60_000,
          alertId: alertIdOf(p),
        });
        expect(result.ok).toBe(true);
      }),
    );
  });

  it('differs when any part differs', () => {
    expect(alertIdOf(base)).not.toBe(alertIdOf({ ...base, windowStart: START + 60_000 }));
    expect(alertIdOf(base)).not.toBe(alertIdOf({ ...base, metric: 'humidity' }));
    expect(alertIdOf(base)).not.toBe(alertIdOf({ ...base, rule: ALERT_RULES.THRESHOLD_MIN }));
    expect(alertIdOf(base)).not.toBe(alertIdOf({ ...base, deviceId: 'dev-2' }));
  });
});
