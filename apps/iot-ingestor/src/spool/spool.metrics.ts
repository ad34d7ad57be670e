import { Gauge, register } from 'prom-client';
import type { SpoolDrainer } from './spool-drainer';
import type { TelemetrySpool } from './telemetry-spool';

/** Where the spool gauges read at scrape time (the latest spool: tests boot several apps). */
let source: { spool: TelemetrySpool; drainer: SpoolDrainer } | undefined;

function gauge(name: string, help: string, read: () => number): void {
  if (register.getSingleMetric(name)) return;
  new Gauge({
    name,
    help,
    collect() {
      this.set(source ? read() : 0);
    },
  });
}

/**
 * The spool's Prometheus gauges, read when /metrics is scraped. The drain rate is
 * `rate(iot_ingestor_readings_produced_total[1m])`: in spool mode the drainer counts there.
 */
export function trackSpool(spool: TelemetrySpool, drainer: SpoolDrainer): void {
  source = { spool, drainer };
  gauge(
    'iot_ingestor_spool_records',
    'Records in the local spool, not yet acknowledged by Kafka',
    () => (source ? source.spool.depth : 0),
  );
  gauge('iot_ingestor_spool_bytes', 'Approximate bytes of the records in the local spool', () =>
    source ? source.spool.size : 0,
  );
  gauge(
    'iot_ingestor_spool_oldest_age_seconds',
    'Age of the oldest record in the spool (0 when empty): how far Kafka is behind',
    () => {
      const oldest = source?.spool.oldestReceivedAt();
      return oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000);
    },
  );
  gauge('iot_ingestor_kafka_reachable', '1 when the last produce attempt was acknowledged', () =>
    source?.drainer.kafkaReachable ? 1 : 0,
  );
}
