import { register } from 'prom-client';
import { CONSUMER_METRIC_NAMES, ConsumerMetrics, SYNC_HANDLER_SAMPLE } from './consumer-metrics';

describe('ConsumerMetrics handler durations', () => {
  it('observes every asynchronous handler and one synchronous handler in SYNC_HANDLER_SAMPLE', async () => {
    const group = `metrics-spec-${Date.now()}`;
    const metrics = new ConsumerMetrics(group);
    const topic = metrics.topic('t');
    for (let i = 0; i < 3; i++) topic.handlerSince(performance.now() - 2);
    for (let i = 0; i < SYNC_HANDLER_SAMPLE * 2 + 5; i++) topic.syncHandlerSince(performance.now());
    const histogram = await register.getSingleMetric(CONSUMER_METRIC_NAMES.HANDLER_DURATION)?.get();
    // prom-client names each value's series (`…_count`, `…_sum`, `…_bucket`) in `metricName`.
    const ours = (histogram?.values ?? []) as Array<{
      labels: Record<string, unknown>;
      value: number;
      metricName?: string;
    }>;
    const series = (suffix: string) =>
      ours.find((v) => v.labels['group'] === group && v.metricName?.endsWith(suffix))?.value;
    expect(series('_count')).toBe(3 + 2);
    // The asynchronous ones took about 2 ms each: they are in the sum, not only counted.
    expect(series('_sum')).toBeGreaterThan(0.005);
    metrics.close();
  });
});
