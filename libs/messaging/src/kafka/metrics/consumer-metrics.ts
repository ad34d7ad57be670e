import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';

type GroupTopic = 'group' | 'topic';

/** Metric names, for dashboards and tests. */
export const CONSUMER_METRIC_NAMES = {
  LAG: 'kafka_consumer_lag',
  PROCESSED: 'kafka_consumer_records_processed_total',
  FAILED: 'kafka_consumer_records_failed_total',
  RETRIED: 'kafka_consumer_records_retried_total',
  DEAD_LETTERED: 'kafka_consumer_records_dead_lettered_total',
  HANDLER_DURATION: 'kafka_consumer_handler_duration_seconds',
  FORWARDED: 'kafka_retry_records_forwarded_total',
} as const;

/** Consumers whose batched counts are added to the counters whenever the registry is read. */
const live = new Set<ConsumerMetrics>();

function flushLive(): void {
  for (const metrics of live) metrics.flush();
}

// Several consumers (and several apps in one test process) share the default registry.
function once<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

function counter(name: string, help: string): Counter<GroupTopic> {
  return once(
    name,
    () => new Counter({ name, help, labelNames: ['group', 'topic'], collect: flushLive }),
  );
}

/** The per-topic series of one consumer group, resolved once so the hot path does no lookups. */
export interface TopicMetrics {
  processed(): void;
  failed(): void;
  retried(): void;
  deadLettered(): void;
  forwarded(): void;
  /** Observes a handler's duration, from a `performance.now()` taken when it started. */
  handlerSince(startedAt: number): void;
  /** The same for a handler that returned synchronously: one call in SYNC_HANDLER_SAMPLE observes. */
  syncHandlerSince(startedAt: number): void;
}

/**
 * A synchronous handler takes microseconds, less than prom-client's `observe` itself (measured in
 * `bench:kafka`: observing each one cost the transport a tenth of its throughput), so one in this
 * many is observed: the histogram still shows their distribution, its count is not theirs.
 * Asynchronous handlers (I/O: the ones whose latency matters) are all observed.
 */
export const SYNC_HANDLER_SAMPLE = 64;

/**
 * Consumer metrics on prom-client's default registry, labelled with the consumer group. The
 * per-record count is kept in a plain number and added to its counter when the registry is
 * read (a scrape, a test) or the consumer closes: prom-client hashes labels on every call,
 * which would cost more than the rest of the bookkeeping of a record.
 */
export class ConsumerMetrics {
  // Looked up per instance, not at module load, so a registry cleared between tests is refilled.
  private readonly lag = once(
    CONSUMER_METRIC_NAMES.LAG,
    () =>
      new Gauge({
        name: CONSUMER_METRIC_NAMES.LAG,
        help: 'Records behind: high watermark minus the next offset to process, per partition',
        labelNames: ['group', 'topic', 'partition'],
      }),
  );
  private readonly counters = {
    processed: counter(CONSUMER_METRIC_NAMES.PROCESSED, 'Records whose handler succeeded'),
    failed: counter(CONSUMER_METRIC_NAMES.FAILED, 'Handler or contract failures (every attempt)'),
    retried: counter(CONSUMER_METRIC_NAMES.RETRIED, 'Failed records sent to <topic>.retry'),
    deadLettered: counter(
      CONSUMER_METRIC_NAMES.DEAD_LETTERED,
      'Failed records sent to <topic>.dlq',
    ),
    forwarded: counter(
      CONSUMER_METRIC_NAMES.FORWARDED,
      'Due retry records sent back to their origin topic',
    ),
  };
  private readonly duration = once(
    CONSUMER_METRIC_NAMES.HANDLER_DURATION,
    () =>
      new Histogram({
        name: CONSUMER_METRIC_NAMES.HANDLER_DURATION,
        help: 'Handler duration per record (synchronous handlers: one record in 64)',
        labelNames: ['group', 'topic'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      }),
  );

  private readonly topics = new Map<string, TopicMetrics>();
  private readonly pendingFlushes: Array<() => void> = [];

  constructor(readonly group: string) {
    live.add(this);
  }

  /** The cached series of one topic. */
  topic(topic: string): TopicMetrics {
    let metrics = this.topics.get(topic);
    if (!metrics) {
      metrics = this.createTopic(topic);
      this.topics.set(topic, metrics);
    }
    return metrics;
  }

  /** Adds the batched counts to the counters. */
  flush(): void {
    for (const flush of this.pendingFlushes) flush();
  }

  /** Flushes and stops taking part in registry reads (the consumer stopped). */
  close(): void {
    this.flush();
    live.delete(this);
  }

  /** Sets the lag of one partition (never below zero). */
  setLag(topic: string, partition: number, lag: number): void {
    this.lag.set({ group: this.group, topic, partition: String(partition) }, Math.max(0, lag));
  }

  /** Drops the lag series of a partition this consumer no longer owns. */
  clearLag(topic: string, partition: number): void {
    this.lag.remove({ group: this.group, topic, partition: String(partition) });
  }

  private createTopic(topic: string): TopicMetrics {
    const c = this.counters;
    const labels = [this.group, topic] as const;
    const processed = c.processed.labels(...labels);
    const failed = c.failed.labels(...labels);
    const retried = c.retried.labels(...labels);
    const deadLettered = c.deadLettered.labels(...labels);
    const forwarded = c.forwarded.labels(...labels);
    const duration = this.duration.labels(...labels);
    let processedPending = 0;
    let syncHandled = 0;
    this.pendingFlushes.push(() => {
      if (processedPending === 0) return;
      processed.inc(processedPending);
      processedPending = 0;
    });
    return {
      processed: () => {
        processedPending++;
      },
      failed: () => failed.inc(),
      retried: () => retried.inc(),
      deadLettered: () => deadLettered.inc(),
      forwarded: () => forwarded.inc(),
      handlerSince: (startedAt) => duration.observe((performance.now() - startedAt) / 1_000),
      syncHandlerSince: (startedAt) => {
        if (++syncHandled % SYNC_HANDLER_SAMPLE === 0) {
          duration.observe((performance.now() - startedAt) / 1_000);
        }
      },
    };
  }
}
