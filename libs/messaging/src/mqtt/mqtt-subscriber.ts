import { setMaxListeners } from 'node:events';
import type { IPublishPacket, MqttClient } from 'mqtt';
import {
  NonRetryableError,
  classifyError,
  type ErrorClassification,
} from '../errors/processing-error';
import type { MessagingLogger } from '../logging/messaging-logger';
import { computeBackoffMs } from '../kafka/retry/backoff';
import { MQTT_DEFAULTS } from './mqtt-connection';
import {
  toMqttMessage,
  type MqttDeadLetterHandler,
  type MqttMessage,
  type MqttSubscription,
} from './mqtt-message';
import { deferPubacks, type DeferredAckClient } from './mqtt-puback-adapter';
import { asBackoffPolicy, reconnectAfter, type MqttBackoffPolicy } from './mqtt-reconnect-backoff';
import { isValidTopicFilter, matchesTopicFilter } from './mqtt-topic-filter';
import { OrderedAckWindow, type AckTicket } from './ordered-ack-window';

export * from './mqtt-message';

export interface MqttSubscriberOptions {
  logger: MessagingLogger;
  /**
   * Handlers running at once (default 1: one message at a time). PUBACKs go out in arrival
   * order whatever the count. Keep it at or below the session's MQTT 5 receiveMaximum.
   */
  maxInFlight?: number;
  /** Handler attempts (reconnects in between) before a retryable failure dead-letters; Infinity: never. */
  maxAttempts?: number;
  /** Delays of the reconnects that bring back a message whose handler failed. */
  retryBackoff?: MqttBackoffPolicy;
  /** Default: log the failure at error level, then acknowledge. */
  onDeadLetter?: MqttDeadLetterHandler;
}

/** A received message waiting for, or holding, a handler slot. */
interface Delivery {
  packet: IPublishPacket;
  receivedAt: number;
  ticket: AckTicket | undefined;
  signal: AbortSignal;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_TRACKED_FAILURES = 10_000;
const DEFAULT_RETRY_BACKOFF: MqttBackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };
/** How long stop() waits for aborted handlers to return. */
const ABORT_WAIT_MS = 1_000;
/**
 * Reading pauses only past this many times the window: the broker's flow control
 * (receiveMaximum) bounds it already, and a paused reader does not read PINGRESPs either, so
 * the keepalive would drop the connection (1.5 × keepalive later) during a long slow handler.
 */
const READ_PAUSE_FACTOR = 4;
/** Leaving: the session counts as drained once nothing arrived and nothing ran for this long. */
const DRAIN_QUIET_MS = 500;

/** One abort scope per connection, shared by its messages (a signal per message costs more). */
function newScope(): AbortController {
  const scope = new AbortController();
  setMaxListeners(0, scope.signal);
  return scope;
}

/**
 * Delivers MQTT messages to handlers with manual acknowledgement: the PUBACK of a QoS 1
 * message goes out only once its handler resolved, in arrival order (MQTT 4.6), while up to
 * `maxInFlight` handlers run at once. The packet reader never waits on a handler (PINGRESPs
 * keep flowing; the broker's receiveMaximum bounds the window). A retryable failure sends no
 * PUBACK and drops the connection: the broker re-sends the message (DUP) on the resumed
 * session, after a backoff delay. A non-retryable failure (or too many attempts) goes to the
 * dead-letter handler, then is acknowledged. A lost connection aborts the handlers of its
 * messages, whose acks could no longer be sent. Create it before the client connects
 * (`manualConnect`): a resumed session delivers queued messages right after CONNACK.
 */
export class MqttSubscriber {
  private readonly subscriptions: MqttSubscription[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly window = new OrderedAckWindow();
  private readonly waiting: Delivery[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly acks: DeferredAckClient;
  private readonly maxInFlight: number;
  private scope = newScope();
  private state: 'created' | 'started' | 'stopped' = 'created';
  private leaving = false;
  private paused: (() => void) | undefined;
  private lastArrival = 0;
  private subscribedOnce = false;
  private markSubscribed: () => void = () => undefined;
  private readonly subscribed = new Promise<void>((resolve) => (this.markSubscribed = resolve));

  constructor(
    private readonly client: MqttClient,
    private readonly options: MqttSubscriberOptions,
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
    this.acks = deferPubacks(client, (packet, readNext) => this.receive(packet, readNext));
    client.on('connect', (connack) => {
      // A resumed session still holds our subscriptions; a new one has none.
      const resubscribe = !connack.sessionPresent || !this.subscribedOnce;
      if (this.state === 'started' && !this.leaving && resubscribe) void this.subscribeAll();
    });
    client.on('close', () => this.onConnectionLost());
  }

  /** Messages received and not yet finished (acknowledged, or abandoned to a re-send). */
  get inFlight(): number {
    return this.running.size + this.waiting.length;
  }

  /** Registers a handler; call before `start()`. */
  add(subscription: MqttSubscription): void {
    if (!isValidTopicFilter(subscription.filter)) {
      throw new NonRetryableError(
        'MQTT_INVALID_FILTER',
        `invalid MQTT topic filter "${subscription.filter}"`,
      );
    }
    if (this.state !== 'created') {
      throw new NonRetryableError('MQTT_SUBSCRIBER_STARTED', 'add() must come before start()');
    }
    this.subscriptions.push(subscription);
  }

  /** Subscribes every registered filter (now if connected, else on connect) and starts handing out messages. */
  async start(): Promise<void> {
    if (this.state !== 'created') return;
    this.state = 'started';
    this.dispatch();
    if (this.client.connected) await this.subscribeAll();
  }

  /** Resolves once the broker granted the subscriptions the first time (SUBACK). */
  whenSubscribed(): Promise<void> {
    return this.subscribed;
  }

  /**
   * Stops handing out messages (those not started stay unacknowledged: the session keeps them
   * for the next start), lets the running handlers finish and ack for up to `graceMs`, then
   * aborts the rest (not acked: the broker re-sends them).
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.state = 'stopped';
    this.waiting.length = 0;
    if (await this.settledWithin(graceMs)) return;
    this.options.logger.warn(
      { inFlight: this.running.size, graceMs },
      'MQTT handlers still running at stop; aborted, the broker re-sends their messages',
    );
    this.scope.abort();
    await this.settledWithin(ABORT_WAIT_MS);
  }

  /**
   * Leaves the subscriptions for good: unsubscribes (the broker sends this session nothing
   * new, so nothing is stranded in a session nobody reads), handles what the broker had already
   * queued for it until nothing arrives for DRAIN_QUIET_MS, then stops as `stop` does; all of
   * it within `graceMs`. The caller then ends the session (endMqttSession).
   */
  async leave(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    this.leaving = true;
    if (this.state === 'started' && this.client.connected && this.subscriptions.length > 0) {
      const filters = this.subscriptions.map((s) => s.filter);
      try {
        await this.client.unsubscribeAsync(filters);
        this.options.logger.info({ filters }, 'MQTT subscriptions left; draining the session');
        await this.drained(deadline);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'MQTT unsubscribe failed while leaving');
      }
    }
    await this.stop(Math.max(0, deadline - Date.now()));
  }

  private receive(packet: IPublishPacket, readNext: () => void): void {
    if (this.state === 'stopped') {
      readNext();
      return;
    }
    const receivedAt = Date.now();
    this.lastArrival = receivedAt;
    // The connection is its stream: mqtt.js emits `connect` only after flushing its outgoing
    // store, and a resumed session's messages can arrive before that event.
    const connection = this.client.stream;
    const ticket =
      packet.qos > 0 ? this.window.add(() => this.puback(packet.messageId, connection)) : undefined;
    this.waiting.push({ packet, receivedAt, ticket, signal: this.scope.signal });
    this.dispatch();
    if (this.inFlight < this.readLimit) {
      readNext();
      return;
    }
    this.options.logger.warn(
      { inFlight: this.inFlight, maxInFlight: this.maxInFlight },
      'MQTT broker sends beyond its receive maximum; reading paused until handlers finish',
    );
    this.paused = readNext;
  }

  /** Starts waiting deliveries while handler slots are free (not before start: a resumed session). */
  private dispatch(): void {
    while (this.state === 'started' && this.running.size < this.maxInFlight) {
      const delivery = this.waiting.shift();
      if (!delivery) return;
      const task: Promise<void> = this.run(delivery).finally(() => {
        this.running.delete(task);
        this.dispatch();
        this.resumeReading();
      });
      this.running.add(task);
    }
  }

  private async run(delivery: Delivery): Promise<void> {
    const { packet, ticket, signal } = delivery;
    if (signal.aborted) return;
    const subscription = this.subscriptions.find((s) => matchesTopicFilter(s.filter, packet.topic));
    if (!subscription) {
      // A filter of an earlier deployment still in the persistent session: nobody wants it.
      this.options.logger.warn({ topic: packet.topic }, 'MQTT message matches no handler; acked');
      if (ticket) this.window.complete(ticket);
      return;
    }
    const message = toMqttMessage(packet, subscription.filter, delivery.receivedAt);
    try {
      await subscription.handler(message, signal);
      if (this.attempts.size > 0) this.attempts.delete(attemptKey(message));
      if (ticket) this.window.complete(ticket);
    } catch (error) {
      // Aborted: the connection is gone or we are stopping; the broker re-sends it either way.
      if (signal.aborted) return;
      await this.onFailure(subscription, message, classifyError(error), ticket);
    }
  }

  private async onFailure(
    subscription: MqttSubscription,
    message: MqttMessage,
    failure: ErrorClassification,
    ticket: AckTicket | undefined,
  ): Promise<void> {
    const key = attemptKey(message);
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    const ids = { topic: message.topic, messageId: message.messageId, attempt, code: failure.code };
    const canRetry = failure.retryable && message.qos > 0;
    if (canRetry && attempt < (this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
      // Failing messages are few; the cap only guards against ids the broker never re-sent.
      if (this.attempts.size >= MAX_TRACKED_FAILURES) this.attempts.clear();
      this.attempts.set(key, attempt);
      const delayMs = this.backoffMs(attempt);
      this.options.logger.warn(
        { ...ids, delayMs, error: failure.message },
        'MQTT handler failed; not acked, reconnecting for redelivery',
      );
      reconnectAfter(this.client, delayMs);
      return;
    }
    this.attempts.delete(key);
    const deadLetter = subscription.onDeadLetter ?? this.options.onDeadLetter;
    try {
      if (deadLetter) await deadLetter(message, failure);
      else this.options.logger.error({ ...ids, error: failure.message }, 'MQTT message dropped');
    } catch (error) {
      // Not stored anywhere: keep it unacknowledged and let the broker bring it back.
      this.options.logger.error({ ...ids, err: error }, 'MQTT dead-lettering failed; reconnecting');
      reconnectAfter(this.client, this.backoffMs(attempt + 1));
      return;
    }
    if (ticket) this.window.complete(ticket);
  }

  private backoffMs(attempt: number): number {
    return computeBackoffMs(
      attempt,
      asBackoffPolicy(this.options.retryBackoff ?? DEFAULT_RETRY_BACKOFF),
    );
  }

  private puback(messageId: number | undefined, connection: unknown): void {
    // A packet id is per connection: acking it on a later one could ack another message.
    if (messageId === undefined || connection !== this.client.stream || !this.client.connected)
      return;
    this.acks.puback(messageId);
  }

  private onConnectionLost(): void {
    const dropped = this.window.clear();
    this.waiting.length = 0;
    this.scope.abort();
    this.scope = newScope();
    // The paused read belongs to the closed stream; releasing it lets mqtt.js discard it.
    this.resumeReading(true);
    if (dropped > 0) {
      this.options.logger.warn(
        { unacknowledged: dropped },
        'MQTT connection lost with messages in flight; the broker re-sends them on reconnect',
      );
    }
  }

  private get readLimit(): number {
    const receiveMaximum =
      this.client.options.properties?.receiveMaximum ?? MQTT_DEFAULTS.receiveMaximum;
    return Math.max(this.maxInFlight, receiveMaximum) * READ_PAUSE_FACTOR;
  }

  private resumeReading(always = false): void {
    if (this.paused === undefined || (!always && this.inFlight >= this.readLimit)) return;
    const next = this.paused;
    this.paused = undefined;
    next();
  }

  private async drained(deadline: number): Promise<void> {
    this.lastArrival = Date.now();
    for (;;) {
      const quiet = this.inFlight === 0 && Date.now() - this.lastArrival >= DRAIN_QUIET_MS;
      if (quiet || Date.now() >= deadline || !this.client.connected) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async settledWithin(ms: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    const settled = Promise.all([...this.running]).then(() => true as const);
    if (!Number.isFinite(ms)) return settled;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const result = await Promise.race([settled, timeout]);
    clearTimeout(timer);
    return result;
  }

  private async subscribeAll(): Promise<void> {
    if (this.subscriptions.length === 0) {
      this.markSubscribed();
      return;
    }
    const map = Object.fromEntries(this.subscriptions.map((s) => [s.filter, { qos: s.qos }]));
    try {
      const granted = await this.client.subscribeAsync(map);
      this.subscribedOnce = true;
      this.markSubscribed();
      for (const grant of granted) {
        if (grant.qos === 128) {
          this.options.logger.error({ filter: grant.topic }, 'MQTT broker refused subscription');
        }
      }
      this.options.logger.info({ granted }, 'MQTT subscriptions active');
    } catch (error) {
      // Disconnected while subscribing: the next connect subscribes again.
      this.options.logger.warn({ err: error }, 'MQTT subscribe failed');
    }
  }
}

/** While unacknowledged, a message keeps its packet id across re-sends. */
function attemptKey(message: MqttMessage): string {
  return `${message.messageId ?? 'qos0'}\u0000${message.topic}`;
}
