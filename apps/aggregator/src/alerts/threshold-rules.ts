import { ALERT_RULES, alertIdOf, type Alert, type Thresholds } from '@streamline/contracts';
import type { MetricAccumulator } from '../windowing/metric-accumulator';
import type { WindowAggregate } from '../windowing/telemetry-windows';

/**
 * The alerts a closed 1-minute window raises: a metric whose average is above its `max` or below
 * its `min`. A device's own thresholds replace the default set as a whole (per metric, its own
 * entry wins; metrics it does not name fall back to the default).
 */
export function alertsOf(
  window: WindowAggregate,
  own: Thresholds | undefined,
  defaults: Thresholds,
): Alert[] {
  const alerts: Alert[] = [];
  for (const metric in window.metrics) {
    const threshold = own?.[metric] ?? defaults[metric];
    if (threshold === undefined) continue;
    const { sum, count } = window.metrics[metric] as MetricAccumulator;
    const avg = sum / count;
    const breach = (rule: string, limit: number) =>
      alerts.push({
        alertId: alertIdOf({ deviceId: window.deviceId, rule, metric, windowStart: window.start }),
        deviceId: window.deviceId,
        rule,
        metric,
        value: avg,
        threshold: limit,
        windowStart: window.start,
        windowEnd: window.end,
      });
    if (threshold.max !== undefined && avg > threshold.max)
      breach(ALERT_RULES.THRESHOLD_MAX, threshold.max);
    if (threshold.min !== undefined && avg < threshold.min)
      breach(ALERT_RULES.THRESHOLD_MIN, threshold.min);
  }
  return alerts;
}
