import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { dlqTopicOf, HEADERS, isRetryTopic, originTopicOf } from '@streamline/contracts';
import type {
  Consumer,
  EachBatchPayload,
  IHeaders,
  Kafka,
  KafkaMessage,
  Producer,
  TopicMessages,
} from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';
import { ConsumerMetrics } from '../metrics/consumer-metrics';
import { computeBackoffMs, type BackoffPolicy } from './backoff';
import { createDeadLetterProducer } from './dead-letter-publisher';
import { buildDeadLetterRecord, headerValue } from './failure-headers';

/** The forwarder's own policy for the records of one origin topic. */
export interface RetryTopicPolicy {
  /** Attempts in all, the first delivery included: a record due for a later one is dead-lettered. */
  maxAttempts: number;
  /** Delay before attempt n+1: at least `backoff(n)` after the `.retry` record was written. */
  backoff: BackoffPolicy;
}

/** Error class of the dead letters the forwarder writes when a record has no attempt left. */
export const RETRIES_EXHAUSTED = 'RetryAttemptsExhausted';

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
  /**
   * Per-origin-topic policy. With one, a record is sent back no earlier than its backoff after
   * it was written (and never before its own `retry.not-before`), and a record whose
   * `retry.attempt` exceeds `maxAttempts` goes to `<origin>.dlq` instead.
   */
  policy?: (originTopic: string) => RetryTopicPolicy | undefined;
  /** `dlq.service` of the dead letters the forwarder writes. Default: the group id. */
  service?: string;
}

export interface RetryForwarderEvents {
  /** A partition waits (paused) until its next record is due. */
  'record.waiting': [{ topic: string; partition: number; offset: string; notBefore: number }];
  'record.forwarded': [
    { topic: string; partition: number; offset: string; originTopic: string; attempt: number },
  ];
  /** A record past its last attempt, written to `<origin>.dlq`. */
  'record.exhausted': [
    { topic: string; partition: number; offset: string; originTopic: string; attempt: number },
  ];
}

/** Where one `.retry` record goes, and from when. */
interface Route {
  message: KafkaMessage;
  originTopic: string;
  attempt: number;
  dueAt: number;
  exhausted: boolean;
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
    const due: Route[] = [];
    let waiting: { message: KafkaMessage; notBefore: number } | undefined;
    for (const message of batch.messages) {
      const route = this.routeOf(batch.topic, batch.partition, message);
      if (route.dueAt > now) {
        waiting = { message, notBefore: route.dueAt };
        break;
      }
      due.push(route);
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

  /** When a record is due and whether it still has an attempt left. */
  private routeOf(topic: string, partition: number, message: KafkaMessage): Route {
    const originTopic = this.originOf(topic, message);
    const declared = Number(headerValue(message.headers, HEADERS.RETRY_NOT_BEFORE) ?? 0);
    const notBefore = Number.isFinite(declared) ? declared : 0;
    const attemptHeader = Number(headerValue(message.headers, HEADERS.RETRY_ATTEMPT));
    const attempt = Number.isInteger(attemptHeader) && attemptHeader >= 1 ? attemptHeader : 2;
    const policy = this.options.policy?.(originTopic);
    if (!policy) return { message, originTopic, attempt, dueAt: notBefore, exhausted: false };
    if (attempt > policy.maxAttempts) {
      return { message, originTopic, attempt, dueAt: 0, exhausted: true };
    }
    // The jitter is drawn from the record's coordinates: a re-read computes the same due time.
    const draw = unitFromKey(`${topic}|${partition}|${message.offset}`);
    const delay = computeBackoffMs(attempt - 1, policy.backoff, () => draw);
    const dueAt = Math.max(notBefore, Number(message.timestamp) + delay);
    return { message, originTopic, attempt, dueAt, exhausted: false };
  }

  /** Sends due records to their origin (or dead-letter) topics, then resolves and commits them. */
  private async forward(
    topic: string,
    partition: number,
    due: readonly Route[],
    payload: EachBatchPayload,
  ): Promise<boolean> {
    const byTarget = new Map<string, TopicMessages>();
    for (const route of due) {
      const target = route.exhausted ? dlqTopicOf(route.originTopic) : route.originTopic;
      const entry = byTarget.get(target) ?? { topic: target, messages: [] };
      const { key, value, headers } = route.message;
      entry.messages.push(route.exhausted ? this.deadLetterOf(route) : { key, value, headers });
      byTarget.set(target, entry);
    }
    const last = due[due.length - 1]?.message;
    if (!last) return true;
    try {
      await this.producer.sendBatch({ acks: -1, topicMessages: [...byTarget.values()] });
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
    for (const { message, originTopic, attempt, exhausted } of due) {
      const event = { topic, partition, offset: message.offset, originTopic, attempt };
      if (exhausted) {
        this.metrics.topic(originTopic).deadLettered();
        this.events.emit('record.exhausted', event);
      } else {
        this.metrics.topic(originTopic).forwarded();
        this.events.emit('record.forwarded', event);
      }
    }
    return true;
  }

  /** The `.dlq` record of a record with no attempt left: original coordinates from `retry.origin.*`. */
  private deadLetterOf(route: Route): {
    key: Buffer | null;
    value: Buffer | null;
    headers: IHeaders;
  } {
    const { message } = route;
    const originPartition = Number(headerValue(message.headers, HEADERS.RETRY_ORIGIN_PARTITION));
    const originOffset = headerValue(message.headers, HEADERS.RETRY_ORIGIN_OFFSET);
    const record = buildDeadLetterRecord({
      message: { ...message, offset: originOffset ?? message.offset },
      originTopic: route.originTopic,
      originPartition: Number.isInteger(originPartition) ? originPartition : -1,
      service: this.options.service ?? this.options.groupId,
      errorClass: RETRIES_EXHAUSTED,
      errorMessage: headerValue(message.headers, HEADERS.RETRY_ERROR) ?? 'no attempt left',
      attempts: route.attempt - 1,
    });
    return { key: message.key, value: message.value, headers: record.headers };
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

/** A number in [0, 1) derived from `key`: the same key always draws the same jitter. */
function unitFromKey(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 0x1_0000_0000;
}
