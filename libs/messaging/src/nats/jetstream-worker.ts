import { deadLetterSubject, type Contract } from '@streamline/contracts';
import type { ConsumerMessages, JsMsg, NatsConnection } from 'nats';
import type { MessagingLogger } from '../logging/messaging-logger';
import {
  handleJetStreamDelivery,
  type DeliveryOutcome,
  type JetStreamDeliveryContext,
  type JetStreamHandler,
} from './jetstream-message-handler';
import {
  DEFAULT_JETSTREAM_RETRY,
  attemptsForMaxDeliver,
  type JetStreamRetryPolicy,
} from './jetstream-retry-policy';

export interface JetStreamWorkerOptions<T> {
  /** Stream and durable pull consumer to read; both must exist (see provisionJetStream). */
  stream: string;
  consumer: string;
  contract: Contract<T, never>;
  handler: JetStreamHandler<T>;
  /** Written to `dlq.service` of dead letters. */
  service: string;
  logger: MessagingLogger;
  /** Handlers running at once (and messages pulled ahead). Default 8. */
  concurrency?: number;
  /** Default: attempts from the consumer's `max_deliver` (minus the spare), backoff 1 s → 60 s. */
  retry?: Partial<JetStreamRetryPolicy>;
  /** Default `deadletter.<stream>.<consumer>`. */
  deadLetterSubject?: string;
  /** Longest a handler keeps extending its lease. Default 5 minutes. */
  maxProcessingMs?: number;
  /** Longest `stop()` waits for running handlers; a handler still running then is abandoned
   * (its message comes back after `ack_wait`). Default 30 s. */
  stopTimeoutMs?: number;
  /** Called after every delivery with how it ended (metrics, tests). */
  onOutcome?: (outcome: DeliveryOutcome, msg: JsMsg) => void;
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_MAX_PROCESSING_MS = 5 * 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 30_000;
const RESTART_DELAY_MS = 1_000;

/**
 * Pulls from a durable JetStream consumer with explicit acks and at most `concurrency`
 * handlers in flight. `stop()` stops pulling, hands back what was pulled but not started
 * (`nak` without delay, so another instance takes it) and waits for running handlers.
 */
export class JetStreamWorker<T> {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiters: Array<() => void> = [];
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly connection: () => Promise<NatsConnection>,
    private readonly options: JetStreamWorkerOptions<T>,
  ) {}

  /** Binds to the consumer (rejects if it does not exist) and starts pulling in the background. */
  async start(): Promise<void> {
    if (this.loop || this.stopping) return;
    const ctx = await this.bind();
    if (this.stopping) return;
    const messages = await this.consumeWith(ctx);
    // stop() may have run while we were binding: then nothing must keep pulling.
    if (this.stopping) {
      await messages.close();
      return;
    }
    this.messages = messages;
    this.loop = this.run(ctx, messages);
  }

  /** Stops pulling and resolves once every started handler has acknowledged its message. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.waiters.splice(0).forEach((wake) => wake());
    await this.messages?.close();
    await this.loop;
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([Promise.allSettled([...this.inFlight]), gaveUp]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.options.logger.warn(
        { stream: this.options.stream, consumer: this.options.consumer, running: this.running },
        'JetStream worker stopped with handlers still running; their messages will be redelivered',
      );
    }
  }

  /** Handlers running right now. */
  get running(): number {
    return this.inFlight.size;
  }

  private async bind(): Promise<JetStreamDeliveryContext<T>> {
    const nc = await this.connection();
    const js = nc.jetstream();
    const consumer = await js.consumers.get(this.options.stream, this.options.consumer);
    const info = await consumer.info(true);
    const retry: JetStreamRetryPolicy = {
      ...DEFAULT_JETSTREAM_RETRY,
      maxAttempts:
        attemptsForMaxDeliver(info.config.max_deliver) ?? DEFAULT_JETSTREAM_RETRY.maxAttempts,
      ...this.options.retry,
    };
    return {
      stream: this.options.stream,
      consumer: this.options.consumer,
      service: this.options.service,
      contract: this.options.contract,
      handler: this.options.handler,
      retry,
      deadLetterSubject:
        this.options.deadLetterSubject ??
        deadLetterSubject(this.options.stream, this.options.consumer),
      ackWaitMs: Math.floor((info.config.ack_wait ?? 30_000_000_000) / 1_000_000),
      maxProcessingMs: this.options.maxProcessingMs ?? DEFAULT_MAX_PROCESSING_MS,
      js,
      logger: this.options.logger,
    };
  }

  private async consumeWith(ctx: JetStreamDeliveryContext<T>): Promise<ConsumerMessages> {
    const consumer = await ctx.js.consumers.get(ctx.stream, ctx.consumer);
    // Pull no further ahead than we can work on: a pulled message's ack_wait is already running.
    return consumer.consume({ max_messages: this.concurrency });
  }

  private async run(ctx: JetStreamDeliveryContext<T>, first: ConsumerMessages): Promise<void> {
    let messages = first;
    while (!this.stopping) {
      try {
        for await (const msg of messages) {
          if (!(await this.acquireSlot())) {
            msg.nak();
            continue;
          }
          this.dispatch(msg, ctx);
        }
      } catch (error) {
        this.options.logger.error(
          { stream: ctx.stream, consumer: ctx.consumer, err: error },
          'JetStream consume loop failed; restarting',
        );
      }
      if (this.stopping) break;
      await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
      if (this.stopping) break;
      try {
        messages = await this.consumeWith(ctx);
        this.messages = messages;
      } catch (error) {
        this.options.logger.error(
          { stream: ctx.stream, consumer: ctx.consumer, err: error },
          'JetStream consumer unavailable; retrying',
        );
      }
    }
  }

  private dispatch(msg: JsMsg, ctx: JetStreamDeliveryContext<T>): void {
    const task = handleJetStreamDelivery(msg, ctx).then(
      (outcome) => this.options.onOutcome?.(outcome, msg),
      // handleJetStreamDelivery never throws; this is a bug guard, not a policy.
      (error: unknown) => ctx.logger.error({ seq: msg.seq, err: error }, 'delivery handling threw'),
    );
    this.inFlight.add(task);
    void task.finally(() => {
      this.inFlight.delete(task);
      this.waiters.shift()?.();
    });
  }

  /** Waits for a free handler slot; false once the worker is stopping. */
  private async acquireSlot(): Promise<boolean> {
    while (!this.stopping && this.inFlight.size >= this.concurrency) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return !this.stopping;
  }

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? DEFAULT_CONCURRENCY);
  }
}
