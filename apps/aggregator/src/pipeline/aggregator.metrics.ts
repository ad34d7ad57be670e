import { Injectable } from '@nestjs/common';
import { Gauge, register, type Metric } from 'prom-client';
import { AggregatorPipelineService } from './aggregator-pipeline.service';

function once<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

/**
 * The aggregator's figures, read from the engine when Prometheus scrapes (nothing on the hot
 * path): late readings, state size, restore time and size, stream time per partition.
 */
@Injectable()
export class AggregatorMetrics {
  constructor(pipeline: AggregatorPipelineService) {
    const { engine } = pipeline;
    const gauge = (
      name: string,
      help: string,
      read: (g: Gauge) => void,
      labelNames: string[] = [],
    ) =>
      once(
        name,
        () =>
          new Gauge({
            name,
            help,
            labelNames,
            collect() {
              read(this);
            },
          }),
      );
    gauge(
      'aggregator_late_readings_total',
      'Readings (and events) that missed a closed window',
      (g) => g.set(engine.lateCount),
    );
    gauge(
      'aggregator_state_entries',
      'Open windows and sessions held in memory and in the changelog',
      (g) => g.set(engine.stats().reduce((n, p) => n + p.open, 0)),
    );
    gauge(
      'aggregator_restore_duration_seconds',
      'Duration of the last state restore from the changelog',
      (g) => g.set((engine.lastRestore?.durationMs ?? 0) / 1000),
    );
    gauge('aggregator_restore_records', 'Changelog records read by the last restore', (g) =>
      g.set(engine.lastRestore?.records ?? 0),
    );
    gauge(
      'aggregator_stream_time_ms',
      'Stream time (highest event time seen, or idle-advanced) per input partition',
      (g) => {
        g.reset();
        for (const p of engine.stats()) {
          if (p.streamTime !== null)
            g.set({ topic: p.topic, partition: String(p.partition) }, p.streamTime);
        }
      },
      ['topic', 'partition'],
    );
    gauge(
      'aggregator_alerts_published_total',
      'Alerts JetStream stored (duplicates excluded)',
      (g) => g.set(pipeline.alerts.published),
    );
  }
}
