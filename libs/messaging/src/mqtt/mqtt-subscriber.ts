import type { IPublishPacket, MqttClient } from 'mqtt';
import {
  NonRetryableError,
  classifyError,
  type ErrorClassification,
} from '../errors/processing-error';
import type { MessagingLogger } from '../logging/messaging-logger';
import {
  mqttReconnectDelayMs,
  reconnectAfter,
  type MqttBackoffPolicy,
} from './mqtt-reconnect-backoff';
import { isValidTopicFilter, matchesTopicFilter } from './mqtt-topic-filter';

/** A message as a handler sees it. */
export interface MqttMessage {
  topic: string;
  payload: Buffer;
  qos: MqttQos;
  retain: boolean;
  /** True when the broker re-sends a message it had sent before without getting our ack. */
  dup: boolean;
  messageId?: number;
  properties?: IPublishPacket['properties'];
  /** Epoch ms at which this process received it. */
  receivedAt: number;
  /** The filter of the subscription that matched. */
  subscription: string;
}

export type MqttHandler = (message: MqttMessage) => Promise<void>;

/** Where a message goes that no retry can fix (or that exhausted its retries). */
export type MqttDeadLetterHandler = (
  message: MqttMessage,
  failure: ErrorClassification,
) => Promise<void>;

export interface MqttSubscription {
  /** Topic filter, `$share/<group>/…` for a shared subscription. */
  filter: string;
  qos: MqttQos;
  handler: MqttHandler;
  /** Overrides the subscriber-wide dead-letter handler for this subscription. */
  onDeadLetter?: MqttDeadLetterHandler;
}

export interface MqttSubscriberOptions {
  logger: MessagingLogger;
  /** Handler attempts (with reconnects in between) before a retryable failure dead-letters. */
  maxAttempts?: number;
  /** Delays of the reconnects that bring back a message whose handler failed. */
  retryBackoff?: MqttBackoffPolicy;
  /** Default: log the failure at error level, then acknowledge. */
  onDeadLetter?: MqttDeadLetterHandler;
}

type Ack = () => void;

/** MQTT quality of service levels. */
export type MqttQos = 0 | 1 | 2;

const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_TRACKED_FAILURES = 10_000;
const DEFAULT_RETRY_BACKOFF: MqttBackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

/**
 * Delivers MQTT messages to handlers with manual acknowledgement: the PUBACK of a QoS 1
 * message goes out only once its handler resolved. It hooks mqtt.js's `handleMessage`, whose
 * callback sends the PUBACK and lets the client read the next packet, so handling is one
 * message at a time per client, in arrival order. A retryable failure sends no PUBACK and
 * drops the connection: the broker re-sends the message (DUP) on the resumed session, after a
 * backoff delay. A non-retryable failure (or too many attempts) goes to the dead-letter
 * handler, then is acknowledged. Create it before the client connects (`manualConnect`):
 * a resumed session delivers queued messages right after CONNACK.
 */
export class MqttSubscriber {
  private readonly subscriptions: MqttSubscription[] = [];
  private readonly attempts = new Map<string, number>();
  private connection = 0;
  private state: 'created' | 'started' | 'stopped' = 'created';
  private openGate: (() => void) | undefined;
  private readonly gate: Promise<void>;
  private current: Promise<void> | undefined;
  private subscribedOnce = false;
  private markSubscribed: () => void = () => undefined;
  private readonly subscribed = new Promise<void>((resolve) => (this.markSubscribed = resolve));

  constructor(
    private readonly client: MqttClient,
    private readonly options: MqttSubscriberOptions,
  ) {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
    client.handleMessage = (packet, callback) => {
      const task = this.dispatch(packet, this.connection, () => callback());
      this.current = task;
      void task.finally(() => {
        if (this.current === task) this.current = undefined;
      });
    };
    client.on('connect', (connack) => {
      this.connection += 1;
      // A resumed session still holds our subscriptions; a new one has none.
      if (this.state === 'started' && (!connack.sessionPresent || !this.subscribedOnce)) {
        void this.subscribeAll();
      }
    });
    client.on('close', () => {
      this.connection += 1;
    });
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
    this.openGate?.();
    if (this.client.connected) await this.subscribeAll();
  }

  /** Resolves once the broker granted the subscriptions the first time (SUBACK). */
  whenSubscribed(): Promise<void> {
    return this.subscribed;
  }

  /**
   * Stops handing out messages (those that arrive now stay unacknowledged: the session keeps
   * them for the next start) and resolves when the running handler has finished and acked.
   */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.openGate?.();
    await this.current;
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

  private async dispatch(packet: IPublishPacket, connection: number, ack: Ack): Promise<void> {
    await this.gate;
    // Stopped, or the connection it came on is gone: the broker re-sends it, nobody acks it here.
    if (this.state === 'stopped' || connection !== this.connection) return;
    const subscription = this.subscriptions.find((s) => matchesTopicFilter(s.filter, packet.topic));
    if (!subscription) {
      // A filter of an earlier deployment still in the persistent session: nobody wants it.
      this.options.logger.warn({ topic: packet.topic }, 'MQTT message matches no handler; acked');
      ack();
      return;
    }
    const message = toMessage(packet, subscription.filter);
    // An ack on a later connection would acknowledge a packet id the broker may have reused.
    const ackHere: Ack = () => {
      if (connection === this.connection) ack();
    };
    try {
      await subscription.handler(message);
      this.attempts.delete(attemptKey(message));
      ackHere();
    } catch (error) {
      await this.onFailure(subscription, message, classifyError(error), ackHere);
    }
  }

  private async onFailure(
    subscription: MqttSubscription,
    message: MqttMessage,
    failure: ErrorClassification,
    ack: Ack,
  ): Promise<void> {
    const key = attemptKey(message);
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    const ids = { topic: message.topic, messageId: message.messageId, attempt, code: failure.code };
    const canRetry = failure.retryable && message.qos > 0;
    if (canRetry && attempt < (this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
      // Failing messages are few; the cap only guards against ids the broker never re-sent.
      if (this.attempts.size >= MAX_TRACKED_FAILURES) this.attempts.clear();
      this.attempts.set(key, attempt);
      const delayMs = mqttReconnectDelayMs(
        attempt - 1,
        this.options.retryBackoff ?? DEFAULT_RETRY_BACKOFF,
      );
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
      reconnectAfter(
        this.client,
        mqttReconnectDelayMs(attempt, this.options.retryBackoff ?? DEFAULT_RETRY_BACKOFF),
      );
      return;
    }
    ack();
  }
}

function toMessage(packet: IPublishPacket, subscription: string): MqttMessage {
  return {
    topic: packet.topic,
    payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
    qos: packet.qos,
    retain: packet.retain,
    dup: packet.dup,
    ...(packet.messageId !== undefined ? { messageId: packet.messageId } : {}),
    ...(packet.properties ? { properties: packet.properties } : {}),
    receivedAt: Date.now(),
    subscription,
  };
}

/** While unacknowledged, a message keeps its packet id across re-sends. */
function attemptKey(message: MqttMessage): string {
  return `${message.messageId ?? 'qos0'}\u0000${message.topic}`;
}
