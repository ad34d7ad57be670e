import { ALERT_RULES } from '@streamline/contracts';
import { TelemetryWindows } from '../windowing/telemetry-windows';
import { alertsOf } from './threshold-rules';

const BASE = Date.UTC(2024, 4, 1, 12);

function closedWindow(values: number[]) {
  const windows = new TelemetryWindows({
    tumblingMs: 60_000,
    hoppingMs: 60_000,
    advanceMs: 60_000,
    graceMs: 0,
  });
  values.forEach((t, i) => windows.add('dev-1', BASE + i, { t, h: 50 }));
  windows.advanceTo(BASE + 120_000);
  const [window] = windows.closeDue().filter((w) => w.kind === 'tumbling');
  if (window === undefined) throw new Error('no window');
  return window;
}

describe('threshold alerts', () => {
  it('raises threshold.max when the average is above max, with a deterministic id', () => {
    const alerts = alertsOf(closedWindow([70, 90]), { t: { max: 75 } }, {});
    expect(alerts).toEqual([
      {
        alertId: `dev-1:${ALERT_RULES.THRESHOLD_MAX}:t:${BASE}`,
        deviceId: 'dev-1',
        rule: ALERT_RULES.THRESHOLD_MAX,
        metric: 't',
        value: 80,
        threshold: 75,
        windowStart: BASE,
        windowEnd: BASE + 60_000,
      },
    ]);
  });

  it('raises threshold.min below min, and nothing at the limit itself', () => {
    expect(alertsOf(closedWindow([1, 3]), { t: { min: 5 } }, {}).map((a) => a.rule)).toEqual([
      ALERT_RULES.THRESHOLD_MIN,
    ]);
    expect(alertsOf(closedWindow([5, 5]), { t: { min: 5, max: 5 } }, {})).toEqual([]);
  });

  it("uses the default set for metrics the device does not name, the device's own otherwise", () => {
    const window = closedWindow([100]);
    expect(alertsOf(window, undefined, { h: { max: 10 } }).map((a) => a.metric)).toEqual(['h']);
    expect(alertsOf(window, { h: { max: 60 } }, { h: { max: 10 } })).toEqual([]);
  });
});
