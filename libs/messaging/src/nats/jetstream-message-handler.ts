import { ContractViolationError, parseJson, type Contract } from '@streamline/contracts';
import type { JetStreamClient, JsMsg } from 'nats';
import { classifyError, type ErrorClassification } from '../errors/processing-error';
import type { MessagingLogger } from '../logging/messaging-logger';
import { publishNatsDeadLetter, type NatsDeadLetter } from './jetstream-dead-letter';
import {
  decideOnFailure,
  isPastLastAttempt,
  redeliveryDelayMs,
  type JetStreamRetryPolicy,
} from './jetstream-retry-policy';
import { natsHeadersToRecord } from './nats-headers';

/** A JetStream message whose data satisfied the consumer's contract. */
export interface JetStreamMessage<T> {
  value: T;
  subject: string;
  headers: Record<string, string>;
  streamSequence: number;
  /** 1 on the first delivery. */
  deliveryCount: number;
  /** When the message was stored, epoch ms. */
  timestampMs: number;
}

export type JetStreamHandler<T> = (message: JetStreamMessage<T>) => Promise<void>;

/** How one delivery ended: for logs, metrics and tests. */
export type DeliveryOutcome = 'acked' | 'nacked' | 'dead-lettered';

export interface JetStreamDeliveryContext<T> {
  stream: string;
  consumer: string;
  service: string;
  contract: Contract<T, never>;
  handler: JetStreamHandler<T>;
  retry: JetStreamRetryPolicy;
  deadLetterSubject: string;
  /** The consumer's `ack_wait` in ms: a running handler says "working" every half of it. */
  ackWaitMs: number;
  /** After this long a handler stops extending its lease, so a hung one gets redelivered. */
  maxProcessingMs: number;
  js: JetStreamClient;
  logger: MessagingLogger;
}

const NS_PER_MS = 1_000_000;

/**
 * Runs one delivery through the policy: decode and validate, call the handler, then `ack` on
 * success, `nak(delay)` on a retryable failure while attempts remain, and otherwise publish a
 * dead letter and `term`. Never throws: every path ends in an acknowledgement of some kind.
 */
export async function handleJetStreamDelivery<T>(
  msg: JsMsg,
  ctx: JetStreamDeliveryContext<T>,
): Promise<DeliveryOutcome> {
  const deliveryCount = msg.info.deliveryCount;
  const ids = { stream: ctx.stream, consumer: ctx.consumer, seq: msg.seq, subject: msg.subject };
  if (isPastLastAttempt(deliveryCount, ctx.retry)) {
    const failure = {
      errorClass: 'DeliveriesExhausted',
      message: `no attempt reported back within ${ctx.retry.maxAttempts} deliveries`,
    };
    return deadLetter(msg, ctx, failure);
  }
  const parsed = parseJson(ctx.contract, msg.data);
  if (!parsed.ok) {
    const violation = new ContractViolationError(ctx.contract.schemaId, parsed.issues);
    return deadLetter(msg, ctx, classifyError(violation));
  }
  const lease = keepLease(msg, ctx);
  try {
    await ctx.handler({
      value: parsed.value,
      subject: msg.subject,
      headers: natsHeadersToRecord(msg.headers),
      streamSequence: msg.seq,
      deliveryCount,
      timestampMs: Math.floor(msg.info.timestampNanos / NS_PER_MS),
    });
    msg.ack();
    ctx.logger.debug({ ...ids, deliveryCount }, 'JetStream message processed');
    return 'acked';
  } catch (error) {
    const failure = classifyError(error);
    const decision = decideOnFailure(deliveryCount, failure.retryable, ctx.retry);
    if (decision.action === 'nak') {
      msg.nak(decision.delayMs);
      ctx.logger.warn(
        { ...ids, deliveryCount, delayMs: decision.delayMs, code: failure.code, err: error },
        'JetStream handler failed; redelivery scheduled',
      );
      return 'nacked';
    }
    return deadLetter(msg, ctx, failure);
  } finally {
    lease.release();
  }
}

async function deadLetter<T>(
  msg: JsMsg,
  ctx: JetStreamDeliveryContext<T>,
  failure: Pick<ErrorClassification, 'errorClass' | 'message'>,
): Promise<DeliveryOutcome> {
  const letter: NatsDeadLetter = {
    service: ctx.service,
    stream: ctx.stream,
    consumer: ctx.consumer,
    subject: msg.subject,
    streamSequence: msg.seq,
    timestampMs: Math.floor(msg.info.timestampNanos / NS_PER_MS),
    deliveries: msg.info.deliveryCount,
    failure,
  };
  const ids = { stream: ctx.stream, consumer: ctx.consumer, seq: msg.seq, subject: msg.subject };
  try {
    await publishNatsDeadLetter(
      ctx.js,
      ctx.deadLetterSubject,
      msg.data,
      natsHeadersToRecord(msg.headers),
      letter,
    );
  } catch (error) {
    // Not stored as a dead letter: keep the original instead, and try again later.
    const delayMs = redeliveryDelayMs(msg.info.deliveryCount, ctx.retry);
    msg.nak(delayMs);
    ctx.logger.error(
      { ...ids, deadLetterSubject: ctx.deadLetterSubject, delayMs, err: error },
      'dead-lettering failed; message kept for redelivery',
    );
    return 'nacked';
  }
  msg.term();
  ctx.logger.warn(
    {
      ...ids,
      deliveries: letter.deliveries,
      errorClass: failure.errorClass,
      error: failure.message,
    },
    'JetStream message dead-lettered',
  );
  return 'dead-lettered';
}

/** Tells the server "still working" while the handler runs, up to `maxProcessingMs`. */
function keepLease<T>(msg: JsMsg, ctx: JetStreamDeliveryContext<T>): { release(): void } {
  const everyMs = Math.max(100, Math.floor(ctx.ackWaitMs / 2));
  const until = Date.now() + ctx.maxProcessingMs;
  const timer = setInterval(() => {
    if (Date.now() < until) msg.working();
  }, everyMs);
  timer.unref();
  return { release: () => clearInterval(timer) };
}
