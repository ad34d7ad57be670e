import { Counter, Histogram, register } from 'prom-client';

/** How a record's send ended, the `result` label of `kafka_producer_records_total`. */
export type SendResult = 'success' | 'error' | 'timeout' | 'invalid';

/** The producer's Prometheus metrics, created once per process in the default registry. */
export interface ProducerMetrics {
  count(topic: string, result: SendResult, records: number): void;
  /** Seconds from `send` to the broker's acknowledgement. */
  observeDuration(topic: string, seconds: number): void;
}

const RECORDS_TOTAL = 'kafka_producer_records_total';
const SEND_DURATION = 'kafka_producer_send_duration_seconds';

/** Gets or creates the producer metrics (tests and tools start several producers per process). */
export function producerMetrics(): ProducerMetrics {
  const records =
    (register.getSingleMetric(RECORDS_TOTAL) as Counter<'topic' | 'result'> | undefined) ??
    new Counter({
      name: RECORDS_TOTAL,
      help: 'Records handed to the Kafka producer, by topic and outcome',
      labelNames: ['topic', 'result'],
    });
  const duration =
    (register.getSingleMetric(SEND_DURATION) as Histogram<'topic'> | undefined) ??
    new Histogram({
      name: SEND_DURATION,
      help: 'Seconds from send to acknowledgement (acks=all), linger included',
      labelNames: ['topic'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
  // Label children are cached per topic: the histogram is observed once per record.
  const durationByTopic = new Map<string, ReturnType<typeof duration.labels>>();
  return {
    count: (topic, result, n) => {
      if (n > 0) records.inc({ topic, result }, n);
    },
    observeDuration: (topic, seconds) => {
      let child = durationByTopic.get(topic);
      if (child === undefined) {
        child = duration.labels({ topic });
        durationByTopic.set(topic, child);
      }
      child.observe(seconds);
    },
  };
}
