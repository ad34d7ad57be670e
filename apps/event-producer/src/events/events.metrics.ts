import { Injectable } from '@nestjs/common';
import { Counter, Histogram, register } from 'prom-client';
import type { DeliveryMode } from './delivery-mode';

/** Which HTTP entry point a record came through. */
export type EventsEndpoint = 'events' | 'proxy';

/** accepted: handed to Kafka (and acknowledged, for ack=all); rejected: invalid; failed: Kafka said no. */
export type EventResult = 'accepted' | 'rejected' | 'failed';

const EVENTS_TOTAL = 'event_producer_records_total';
const PRODUCE_SECONDS = 'event_producer_produce_duration_seconds';

/** Records accepted/rejected/failed per endpoint and delivery mode, and how long producing took. */
@Injectable()
export class EventsMetrics {
  private readonly records =
    (register.getSingleMetric(EVENTS_TOTAL) as
      Counter<'endpoint' | 'mode' | 'result'> | undefined) ??
    new Counter({
      name: EVENTS_TOTAL,
      help: 'Records received over HTTP, by endpoint, delivery mode (ack) and result',
      labelNames: ['endpoint', 'mode', 'result'],
    });

  private readonly produceSeconds =
    (register.getSingleMetric(PRODUCE_SECONDS) as Histogram<'endpoint' | 'mode'> | undefined) ??
    new Histogram({
      name: PRODUCE_SECONDS,
      help: 'Seconds from handing a request’s records to the producer until every one has its outcome (ack=all) or was queued (ack=none)',
      labelNames: ['endpoint', 'mode'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });

  count(endpoint: EventsEndpoint, mode: DeliveryMode, result: EventResult, records: number): void {
    if (records > 0) this.records.inc({ endpoint, mode, result }, records);
  }

  observeProduce(endpoint: EventsEndpoint, mode: DeliveryMode, seconds: number): void {
    this.produceSeconds.observe({ endpoint, mode }, seconds);
  }
}
