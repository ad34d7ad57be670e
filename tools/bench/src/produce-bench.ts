import { randomBytes } from 'node:crypto';
import {
  createKafka,
  KafkaProducer,
  silentLogger,
  type MessagingLogger,
} from '@streamline/messaging';
import { runProducerPerformance, type ProducerPerformanceResult } from './producer-performance';

export interface ProduceBenchOptions {
  brokers: string[];
  records: number;
  recordBytes: number;
  /** Partitions of each bench topic (default 3). */
  partitions?: number;
  /** Records sent but not yet acknowledged at most, the caller's back-pressure (default 10 000). */
  window?: number;
  logger?: MessagingLogger;
}

export interface ProduceBenchResult {
  producerRecordsPerSec: number;
  producerAvgLatencyMs: number;
  java: ProducerPerformanceResult;
}

/**
 * Produces the same records through KafkaProducer (defaults: idempotent, acks=all, linger 5 ms,
 * gzip) and through Apache Kafka's ProducerPerformance with the same settings, each to its own
 * fresh topic. Like ProducerPerformance: keyless records, one random A-Z payload reused.
 */
export async function runProduceBench(options: ProduceBenchOptions): Promise<ProduceBenchResult> {
  const kafka = createKafka({
    brokers: options.brokers,
    clientId: 'produce-bench',
    logger: silentLogger,
  });
  const admin = kafka.admin();
  await admin.connect();
  const suffix = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const topics = [`bench.produce.node-${suffix}`, `bench.produce.java-${suffix}`] as const;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({
        topic,
        numPartitions: options.partitions ?? 3,
        replicationFactor: 1,
      })),
    });
    const payload = Buffer.from(
      Array.from({ length: options.recordBytes }, () => 65 + Math.floor(Math.random() * 26)),
    );
    const ours = await produceWithKafkaProducer(kafka, topics[0], payload, options);
    options.logger?.info(ours, 'KafkaProducer done');
    const java = await runProducerPerformance({
      brokers: options.brokers,
      topic: topics[1],
      records: options.records,
      recordBytes: options.recordBytes,
    });
    return {
      producerRecordsPerSec: ours.recordsPerSec,
      producerAvgLatencyMs: ours.avgLatencyMs,
      java,
    };
  } finally {
    await admin.deleteTopics({ topics: [...topics] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function produceWithKafkaProducer(
  kafka: ReturnType<typeof createKafka>,
  topic: string,
  payload: Buffer,
  options: ProduceBenchOptions,
): Promise<{ recordsPerSec: number; avgLatencyMs: number }> {
  const producer = new KafkaProducer(kafka);
  await producer.connect();
  const window = options.window ?? 10_000;
  let outstanding = 0;
  let failures = 0;
  let latencySum = 0;
  let wake: (() => void) | undefined;
  const started = performance.now();
  try {
    for (let i = 0; i < options.records; i += 1) {
      if (outstanding >= window) await new Promise<void>((resolve) => (wake = resolve));
      outstanding += 1;
      const sentAt = performance.now();
      producer.sendWithCallback({ topic, key: null, value: payload }, (error) => {
        if (error) failures += 1;
        latencySum += performance.now() - sentAt;
        outstanding -= 1;
        const resume = wake;
        wake = undefined;
        resume?.();
      });
    }
    await producer.flush();
  } finally {
    await producer.close();
  }
  if (failures > 0) throw new Error(`${failures} records failed`);
  const seconds = (performance.now() - started) / 1_000;
  return { recordsPerSec: options.records / seconds, avgLatencyMs: latencySum / options.records };
}
