import { EventEmitter } from 'node:events';
import { HEADERS, isRetryTopic, originTopicOf } from '@streamline/contracts';
import type {
  Consumer,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  Producer,
  TopicMessages,
} from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';
import { ConsumerMetrics } from '../metrics/consumer-metrics';
import { computeBackoffMs } from './backoff';
import { createDeadLetterProducer } from './dead-letter-publisher';
import { headerValue } from './failure-headers';

export interface RetryForwarderOptions {
  kafka: Kafka;
  groupId: string;
  /** The `.retry` topics to serve. */
  topics: readonly string[];
  logger: MessagingLogger;
  /** Where a group with no committed offset starts. Default true: no pending retry is skipped. */
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
  /** Broker long-poll time. Default 250 ms. */
  maxWaitTimeMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  now?: () => number;
}

export interface RetryForwarderEvents {
  /** A partition waits (paused) until its next record is due. */
  'record.waiting': [{ topic: string; partition: number; offset: string; notBefore: number }];
  'record.forwarded': [{ topic: string; partition: number; offset: string; originTopic: string }];
}

/**
 * Sends records from `<topic>.retry` back to their origin topic once `retry.not-before` has
 * passed, key, value and headers unchanged, then commits. A partition whose next record is not
 * due is paused, its fetch position left on that record, and resumed when it is due: the other
 * partitions keep flowing meanwhile.
 */
export class RetryForwarder {
  readonly events = new EventEmitter<RetryForwarderEvents>();
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly metrics: ConsumerMetrics;
  private readonly now: () => number;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly sendFailures = new Map<string, number>();
  private running = false;

  constructor(private readonly options: RetryForwarderOptions) {
    const notRetry = options.topics.filter((topic) => !isRetryTopic(topic));
    if (options.topics.length === 0 || notRetry.length > 0) {
      throw new Error(
        `a RetryForwarder serves .retry topics only; got: ${options.topics.join(', ')}`,
      );
    }
    this.now = options.now ?? Date.now;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 250,
      ...(options.sessionTimeoutMs ? { sessionTimeout: options.sessionTimeoutMs } : {}),
      ...(options.heartbeatIntervalMs ? { heartbeatInterval: options.heartbeatIntervalMs } : {}),
    });
    this.producer = createDeadLetterProducer(options.kafka);
    this.metrics = new ConsumerMetrics(options.groupId);
    // kafkajs keeps pauses across generations; a new assignment re-reads from committed offsets.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.resumeAll());
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Stops waiting, leaves the group and closes the producer; forwarded records are committed already. */
  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.consumer.disconnect();
    await this.producer.disconnect();
    this.metrics.close();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!this.running || !payload.isRunning() || payload.isStale()) return;
    const now = this.now();
    const due: KafkaMessage[] = [];
    let waiting: { message: KafkaMessage; notBefore: number } | undefined;
    for (const message of batch.messages) {
      const notBefore = Number(headerValue(message.headers, HEADERS.RETRY_NOT_BEFORE) ?? 0);
      if (Number.isFinite(notBefore) && notBefore > now) {
        waiting = { message, notBefore };
        break;
      }
      due.push(message);
    }
    const key = `${batch.topic}|${batch.partition}`;
    if (due.length > 0 && !(await this.forward(batch.topic, batch.partition, due, payload))) {
      // Not sent: nothing was resolved, so the same records come back after a short pause.
      const failures = (this.sendFailures.get(key) ?? 0) + 1;
      this.sendFailures.set(key, failures);
      const delayMs = computeBackoffMs(failures, {
        initialMs: 500,
        maxMs: 15_000,
        multiplier: 2,
        jitter: 0.2,
      });
      this.pauseUntil(batch.topic, batch.partition, now + delayMs);
      return;
    }
    this.sendFailures.delete(key);
    if (waiting) {
      // The waiting record is not resolved, so kafkajs fetches from it again after the resume.
      this.pauseUntil(batch.topic, batch.partition, waiting.notBefore);
      this.events.emit('record.waiting', {
        topic: batch.topic,
        partition: batch.partition,
        offset: waiting.message.offset,
        notBefore: waiting.notBefore,
      });
    }
  }

  /** Sends due records to their origin topics, then resolves and commits them. */
  private async forward(
    topic: string,
    partition: number,
    due: readonly KafkaMessage[],
    payload: EachBatchPayload,
  ): Promise<boolean> {
    const byOrigin = new Map<string, TopicMessages>();
    for (const message of due) {
      const origin = this.originOf(topic, message);
      const entry = byOrigin.get(origin) ?? { topic: origin, messages: [] };
      entry.messages.push({ key: message.key, value: message.value, headers: message.headers });
      byOrigin.set(origin, entry);
    }
    const last = due[due.length - 1];
    if (!last) return true;
    try {
      await this.producer.sendBatch({ acks: -1, topicMessages: [...byOrigin.values()] });
      payload.resolveOffset(last.offset);
      await this.consumer.commitOffsets([
        { topic, partition, offset: String(Number(last.offset) + 1) },
      ]);
    } catch (error: unknown) {
      this.options.logger.error(
        { topic, partition, err: error },
        'forwarding retry records failed; the partition pauses and tries again',
      );
      return false;
    }
    for (const message of due) {
      const originTopic = this.originOf(topic, message);
      this.metrics.topic(originTopic).forwarded();
      this.events.emit('record.forwarded', {
        topic,
        partition,
        offset: message.offset,
        originTopic,
      });
    }
    return true;
  }

  /** `retry.origin.topic`, or the retry topic's own origin when the header is missing or unusable. */
  private originOf(topic: string, message: KafkaMessage): string {
    const declared = headerValue(message.headers, HEADERS.RETRY_ORIGIN_TOPIC);
    if (declared && !isRetryTopic(declared) && declared !== topic) return declared;
    return originTopicOf(topic);
  }

  private pauseUntil(topic: string, partition: number, dueAt: number): void {
    const key = `${topic}|${partition}`;
    this.consumer.pause([{ topic, partitions: [partition] }]);
    clearTimeout(this.timers.get(key));
    // setTimeout holds at most ~24.8 days; a later due time is simply checked again then.
    const delay = Math.min(Math.max(0, dueAt - this.now()), 2_147_000_000);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (this.running) this.consumer.resume([{ topic, partitions: [partition] }]);
    }, delay);
    timer.unref();
    this.timers.set(key, timer);
  }

  private resumeAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (this.running) this.consumer.resume(this.options.topics.map((topic) => ({ topic })));
  }
}
