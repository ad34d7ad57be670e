import type { MetricAggregate } from '@streamline/contracts';

/** Running aggregate of one metric in one window. */
export interface MetricAccumulator {
  count: number;
  min: number;
  max: number;
  sum: number;
}

/** Metric name → accumulator; a null-prototype object so a metric named like a builtin is safe. */
export type MetricAccumulators = Record<string, MetricAccumulator>;

export function emptyAccumulators(): MetricAccumulators {
  return Object.create(null) as MetricAccumulators;
}

/** Folds one reading's metrics in; allocates only for a metric the window has not seen. */
export function addMetrics(
  into: MetricAccumulators,
  metrics: Readonly<Record<string, number>>,
): void {
  for (const name in metrics) {
    const value = metrics[name] as number;
    const acc = into[name];
    if (acc === undefined) {
      into[name] = { count: 1, min: value, max: value, sum: value };
    } else {
      acc.count += 1;
      if (value < acc.min) acc.min = value;
      if (value > acc.max) acc.max = value;
      acc.sum += value;
    }
  }
}

/** Folds `source` into `into` (panes into the window they belong to). */
export function mergeInto(into: MetricAccumulators, source: MetricAccumulators): void {
  for (const name in source) {
    const acc = source[name] as MetricAccumulator;
    const prev = into[name];
    if (prev === undefined) {
      into[name] = { ...acc };
    } else {
      prev.count += acc.count;
      if (acc.min < prev.min) prev.min = acc.min;
      if (acc.max > prev.max) prev.max = acc.max;
      prev.sum += acc.sum;
    }
  }
}

/** Combines two windows' accumulators into new ones (used to prove hopping = union of tumbling). */
export function mergeAccumulators(
  a: MetricAccumulators,
  b: MetricAccumulators,
): MetricAccumulators {
  const out = emptyAccumulators();
  mergeInto(out, a);
  mergeInto(out, b);
  return out;
}

/** The published form: count, min, max, sum and avg per metric. */
export function toAggregates(
  accs: MetricAccumulators,
): Record<string, MetricAggregate & { count: number }> {
  const out: Record<string, MetricAggregate & { count: number }> = {};
  for (const name in accs) {
    const { count, min, max, sum } = accs[name] as MetricAccumulator;
    // Clamped: a float sum can put avg a few ulps outside [min, max].
    out[name] = { count, min, max, sum, avg: Math.min(max, Math.max(min, sum / count)) };
  }
  return out;
}
