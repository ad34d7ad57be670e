import { Module, type DynamicModule } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';
import { MetricsController } from './metrics.controller';

/** Process metrics are registered once per process, however many apps a test boots in it. */
function collectProcessMetricsOnce(): void {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
}

/**
 * `GET /metrics` in Prometheus text format: Node process metrics, `service_info`,
 * HTTP request durations, and whatever metrics the service's own providers register
 * on the default registry (`makeCounterProvider` and friends from @willsoto/nestjs-prometheus).
 */
@Module({})
export class MetricsModule {
  static forRoot(options: { service: string; version: string }): DynamicModule {
    collectProcessMetricsOnce();
    return {
      module: MetricsModule,
      global: true,
      imports: [
        PrometheusModule.register({
          controller: MetricsController,
          path: '/metrics',
          defaultMetrics: { enabled: false },
          defaultLabels: { service: options.service },
        }),
      ],
      exports: [PrometheusModule],
    };
  }
}
