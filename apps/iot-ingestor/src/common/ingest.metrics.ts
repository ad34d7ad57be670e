import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';

/** Which subscription a message came through. */
export type MessageKind = 'telemetry' | 'status';

const NAMES = {
  RECEIVED: 'iot_ingestor_messages_received_total',
  PRODUCED: 'iot_ingestor_readings_produced_total',
  INVALID: 'iot_ingestor_invalid_total',
  IN_FLIGHT: 'iot_ingestor_messages_in_flight',
  PRODUCE_SECONDS: 'iot_ingestor_kafka_produce_duration_seconds',
  LAG_SECONDS: 'iot_ingestor_ingest_lag_seconds',
  RETRIES: 'iot_ingestor_kafka_retries_total',
  PRESENCE_WRITES: 'iot_ingestor_presence_writes_total',
} as const;

/**
 * Where the in-flight gauge reads its values at scrape time (the latest registration per kind:
 * tests boot several apps per process). Read on scrape, not set per message: cheaper on the hot path.
 */
const inFlightSources = new Map<MessageKind, () => number>();

/** Tests boot several apps per process: every metric is created once in the default registry. */
function metric<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

/** The ingestor's Prometheus metrics (served at /metrics with the platform's). */
@Injectable()
export class IngestMetrics {
  private readonly received = metric(
    NAMES.RECEIVED,
    () =>
      new Counter({
        name: NAMES.RECEIVED,
        help: 'MQTT messages received, by subscription (telemetry, status)',
        labelNames: ['kind'],
      }),
  );
  private readonly produced = metric(
    NAMES.PRODUCED,
    () =>
      new Counter({
        name: NAMES.PRODUCED,
        help: 'Telemetry readings acknowledged by Kafka (acks=all) on the telemetry topic',
      }),
  );
  private readonly invalid = metric(
    NAMES.INVALID,
    () =>
      new Counter({
        name: NAMES.INVALID,
        help: 'Invalid input: telemetry payloads or readings dead-lettered, status messages ignored; by reason',
        labelNames: ['kind', 'reason'],
      }),
  );
  private readonly inFlight = metric(
    NAMES.IN_FLIGHT,
    () =>
      new Gauge({
        name: NAMES.IN_FLIGHT,
        help: 'MQTT messages received and not yet acknowledged, by subscription',
        labelNames: ['kind'],
        collect() {
          for (const [kind, count] of inFlightSources) this.set({ kind }, count());
        },
      }),
  );
  private readonly produceSeconds = metric(
    NAMES.PRODUCE_SECONDS,
    () =>
      new Histogram({
        name: NAMES.PRODUCE_SECONDS,
        help: 'Seconds from handing an MQTT message’s records to Kafka until all were acknowledged (retries included)',
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      }),
  );
  private readonly lagSeconds = metric(
    NAMES.LAG_SECONDS,
    () =>
      new Histogram({
        name: NAMES.LAG_SECONDS,
        help: 'Seconds from a reading’s event time (ts) to its Kafka acknowledgement',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      }),
  );
  private readonly retries = metric(
    NAMES.RETRIES,
    () =>
      new Counter({
        name: NAMES.RETRIES,
        help: 'Produce attempts repeated because Kafka did not acknowledge (the MQTT ack is held meanwhile)',
      }),
  );
  private readonly presenceWrites = metric(
    NAMES.PRESENCE_WRITES,
    () =>
      new Counter({
        name: NAMES.PRESENCE_WRITES,
        help: 'Writes to the device-presence KV bucket, by cause (status, refresh) and result',
        labelNames: ['cause', 'result'],
      }),
  );

  // Label children are looked up once: these run for every message.
  private readonly receivedBy = {
    telemetry: this.received.labels({ kind: 'telemetry' }),
    status: this.received.labels({ kind: 'status' }),
  };

  messageReceived(kind: MessageKind): void {
    this.receivedBy[kind].inc();
  }

  readingsProduced(count: number): void {
    if (count > 0) this.produced.inc(count);
  }

  invalidInput(kind: MessageKind, reason: string, count = 1): void {
    if (count > 0) this.invalid.inc({ kind, reason }, count);
  }

  /** Makes the in-flight gauge of `kind` read `count()` whenever /metrics is scraped. */
  trackInFlight(kind: MessageKind, count: () => number): void {
    inFlightSources.set(kind, count);
    this.inFlight.set({ kind }, count());
  }

  observeProduce(seconds: number): void {
    this.produceSeconds.observe(seconds);
  }

  observeLag(seconds: number): void {
    this.lagSeconds.observe(Math.max(0, seconds));
  }

  produceRetried(records: number): void {
    this.retries.inc(records);
  }

  presenceWritten(cause: 'status' | 'refresh', result: 'ok' | 'error', count = 1): void {
    if (count > 0) this.presenceWrites.inc({ cause, result }, count);
  }
}
