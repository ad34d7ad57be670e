import { ContractViolationError } from '@streamline/contracts';
import type { KafkaMessage } from 'kafkajs';
import { classifyError, type ErrorClassification } from '../../errors/processing-error';
import type { MessagingLogger } from '../../logging/messaging-logger';
import type { ConsumerMetrics } from '../metrics/consumer-metrics';
import { sleep } from '../retry/abortable-wait';
import { publishUntilAcknowledged, type DeadLetterSink } from '../retry/dead-letter-publisher';
import {
  buildDeadLetterRecord,
  buildRetryRecord,
  type OutgoingFailureRecord,
} from '../retry/failure-headers';
import { routeFailure } from '../retry/failure-policy';
import type { ResolvedHandler } from './handler-resolution';
import { LazyRecordContext, retryOriginOf } from './record-context';

export interface RecordProcessorDeps {
  groupId: string;
  service: string;
  sink: DeadLetterSink;
  metrics: ConsumerMetrics;
  logger: MessagingLogger;
  now?: () => number;
  random?: () => number;
}

/**
 * Takes one record from validation to a final outcome: handled, skipped (a retry addressed to
 * another group), or written to `.retry`/`.dlq`. Returns true when the record may be committed,
 * false when an abort interrupted it first (it will then be delivered again).
 */
export class RecordProcessor {
  private readonly now: () => number;

  constructor(
    private readonly handlers: ReadonlyMap<string, ResolvedHandler>,
    private readonly deps: RecordProcessorDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Synchronous when the handler is (no promise, no microtask per record): the hot path of a
   * fast handler costs little more than its validation.
   */
  process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    signal: AbortSignal,
  ): boolean | Promise<boolean> {
    const registration = this.handlers.get(topic);
    if (!registration) throw new Error(`no handler is registered for topic "${topic}"`);
    const origin = retryOriginOf(message, this.deps.groupId);
    if (origin.skip) return true;
    const outcome = this.attempt(registration, partition, message, origin.attempt, signal);
    if (outcome === undefined) return this.succeeded(topic);
    if (isPromiseLike(outcome)) {
      return outcome.then((failure) =>
        failure === undefined
          ? this.succeeded(topic)
          : this.failed(registration, partition, message, origin.attempt, failure, signal),
      );
    }
    return this.failed(registration, partition, message, origin.attempt, outcome, signal);
  }

  private succeeded(topic: string): true {
    this.deps.metrics.topic(topic).processed();
    return true;
  }

  /** Routes a failure; loops while a `.retry`/`.dlq` record is retried in place. */
  private async failed(
    registration: ResolvedHandler,
    partition: number,
    message: KafkaMessage,
    firstAttempt: number,
    firstFailure: ErrorClassification,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { topic } = registration;
    const metrics = this.deps.metrics.topic(topic);
    let failure = firstFailure;
    for (let attempt = firstAttempt; ; attempt++) {
      metrics.failed();
      const route = routeFailure({
        topic,
        attempt,
        retryable: failure.retryable,
        policy: registration.policy,
        random: this.deps.random,
      });
      if (route.kind === 'retry-in-place') {
        // A `.retry`/`.dlq` record has nowhere further to go: it waits here rather than be dropped.
        this.log(
          'error',
          'handler failed; retrying in place',
          topic,
          partition,
          message,
          failure,
          attempt,
        );
        if (!(await sleep(route.delayMs, signal))) return false;
        const next = await this.attempt(registration, partition, message, attempt + 1, signal);
        if (next === undefined) return this.succeeded(topic);
        failure = next;
        continue;
      }
      const record =
        route.kind === 'retry'
          ? this.retryRecord(topic, partition, message, failure, route)
          : this.deadLetterRecord(topic, partition, message, failure, attempt);
      const written = await this.publish(route.topic, record, signal);
      if (written && route.kind === 'retry') metrics.retried();
      if (written && route.kind === 'dead-letter') metrics.deadLettered();
      const outcome = route.kind === 'retry' ? 'sent to retry' : 'sent to the dead-letter topic';
      this.log(
        'warn',
        written
          ? `record failed; ${outcome}`
          : 'record failed; stopped before its failure record was written, it will be delivered again',
        topic,
        partition,
        message,
        failure,
        attempt,
      );
      return written;
    }
  }

  /**
   * One attempt: decode, then handle. Undefined on success, else what went wrong; a promise
   * of either when the handler is asynchronous.
   */
  private attempt(
    registration: ResolvedHandler,
    partition: number,
    message: KafkaMessage,
    attempt: number,
    signal: AbortSignal,
  ): ErrorClassification | undefined | Promise<ErrorClassification | undefined> {
    let startedAt: number | undefined;
    const metrics = this.deps.metrics.topic(registration.topic);
    try {
      // A custom decoder that throws is a failure like any other, not a crash of the partition.
      const decoded = registration.decode(message.value);
      if (!decoded.ok) {
        return classifyError(new ContractViolationError(registration.schemaId, decoded.issues));
      }
      startedAt = performance.now();
      const result = registration.handler(
        decoded.value,
        new LazyRecordContext(registration.topic, partition, message, attempt, signal),
      );
      if (isPromiseLike(result)) {
        const started = startedAt;
        startedAt = undefined;
        return Promise.resolve(result).then(
          () => {
            metrics.handlerSince(started);
            return undefined;
          },
          (error: unknown) => {
            metrics.handlerSince(started);
            return classifyError(error);
          },
        );
      }
      return undefined;
    } catch (error: unknown) {
      return classifyError(error);
    } finally {
      if (startedAt !== undefined) metrics.syncHandlerSince(startedAt);
    }
  }

  private retryRecord(
    topic: string,
    partition: number,
    message: KafkaMessage,
    failure: ErrorClassification,
    route: { nextAttempt: number; delayMs: number },
  ): OutgoingFailureRecord {
    return buildRetryRecord({
      message,
      originTopic: topic,
      originPartition: partition,
      nextAttempt: route.nextAttempt,
      notBefore: this.now() + route.delayMs,
      error: `${failure.code}: ${failure.message}`,
      group: this.deps.groupId,
    });
  }

  private deadLetterRecord(
    topic: string,
    partition: number,
    message: KafkaMessage,
    failure: ErrorClassification,
    attempts: number,
  ): OutgoingFailureRecord {
    return buildDeadLetterRecord({
      message,
      originTopic: topic,
      originPartition: partition,
      service: this.deps.service,
      errorClass: failure.errorClass,
      errorMessage: failure.message,
      attempts,
    });
  }

  private publish(
    topic: string,
    record: OutgoingFailureRecord,
    signal: AbortSignal,
  ): Promise<boolean> {
    return publishUntilAcknowledged(this.deps.sink, topic, record, signal, this.deps.logger);
  }

  private log(
    level: 'warn' | 'error',
    msg: string,
    topic: string,
    partition: number,
    message: KafkaMessage,
    failure: ErrorClassification,
    attempt: number,
  ): void {
    this.deps.logger[level](
      {
        group: this.deps.groupId,
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString(),
        attempt,
        code: failure.code,
        retryable: failure.retryable,
        error: failure.message,
      },
      msg,
    );
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
