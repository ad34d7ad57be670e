import {
  isValidTopicFilter,
  matchesTopicFilter,
  mqttReconnectDelayMs,
  reconnectAfter,
  type MessagingLogger,
  type MqttBackoffPolicy,
  type MqttMessage,
} from '@streamline/messaging';
import type { IPublishPacket, MqttClient, Packet } from 'mqtt';
import { setMaxListeners } from 'node:events';
import { OrderedAckWindow, type AckTicket } from './ordered-ack-window';

/** Handles one message; `signal` aborts when its ack can no longer be sent (connection lost, stop). */
export type PipelinedHandler = (message: MqttMessage, signal: AbortSignal) => Promise<void>;

export interface PipelinedSubscription {
  /** Topic filter, `$share/<group>/…` for a shared subscription. */
  filter: string;
  qos: 0 | 1;
  handler: PipelinedHandler;
}

export interface PipelinedSubscriberOptions {
  logger: MessagingLogger;
  /** Messages handled at once; keep it equal to the session's MQTT 5 receiveMaximum. */
  maxInFlight: number;
  /** Reconnect delays after a handler failed: a reconnect is how MQTT re-sends a message. */
  retryBackoff?: MqttBackoffPolicy;
}

/** Passed to mqtt.js' handleMessage callback: read the next packet, but send no PUBACK now. */
const DEFER_ACK = new Error('PUBACK deferred to the ordered ack window');
const DEFAULT_RETRY_BACKOFF: MqttBackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };
/** How long stop() waits for aborted handlers to return. */
const ABORT_WAIT_MS = 1_000;
/**
 * Reading stops only past this many times `maxInFlight`: the broker's flow control
 * (receiveMaximum) already bounds the window, and a stalled reader also stops reading PINGRESPs,
 * so the keepalive would expire (1.5 × keepalive later) during every long Kafka outage.
 */
const READ_STALL_FACTOR = 4;
/** Leaving: the session counts as drained once nothing arrived and nothing ran for this long. */
const DRAIN_QUIET_MS = 500;

type SendPacket = (packet: Packet, callback?: () => void) => void;

/**
 * One abort scope per connection, shared by its messages (an AbortSignal per message costs
 * more than the rest of the bookkeeping); any number of handlers may listen to it.
 */
function newScope(): AbortController {
  const scope = new AbortController();
  setMaxListeners(0, scope.signal);
  return scope;
}

/**
 * An MQTT subscriber that handles up to `maxInFlight` messages concurrently and sends each
 * QoS 1 PUBACK only once that message's handler resolved, in arrival order. The messaging
 * library's MqttSubscriber handles one message at a time (mqtt.js sends the PUBACK and reads
 * the next packet in the same callback); to pipeline, this one calls that callback with an
 * error, which makes mqtt.js read on without a PUBACK, and writes the PUBACK itself later
 * (mqtt.js' own `_sendPacket`). Reading never waits on a handler while below `maxInFlight`, so
 * keepalives are answered while Kafka is slow; the broker's flow control (receiveMaximum)
 * keeps the window full at most. A failed handler drops the connection (the broker re-sends
 * every unacknowledged message on the resumed session); a lost connection aborts the handlers
 * of its messages, whose acks could no longer be sent.
 */
export class PipelinedMqttSubscriber {
  private readonly subscriptions: PipelinedSubscription[] = [];
  private readonly window = new OrderedAckWindow();
  private readonly running = new Set<Promise<void>>();
  private scope = newScope();
  private readonly sendPacket: SendPacket;
  private state: 'created' | 'started' | 'stopped' = 'created';
  private openGate: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.openGate = resolve));
  private stalled: (() => void) | undefined;
  private failures = 0;
  private subscribedOnce = false;
  private lastArrival = 0;
  private leaving = false;
  private markSubscribed: () => void = () => undefined;
  private readonly subscribed = new Promise<void>((resolve) => (this.markSubscribed = resolve));

  constructor(
    private readonly client: MqttClient,
    private readonly options: PipelinedSubscriberOptions,
  ) {
    const send = (client as unknown as { _sendPacket?: unknown })._sendPacket;
    if (typeof send !== 'function') {
      throw new Error('mqtt.js has no _sendPacket: PUBACKs cannot be deferred with this version');
    }
    this.sendPacket = (send as SendPacket).bind(client);
    client.handleMessage = (packet, callback) => this.receive(packet, callback);
    client.on('connect', (connack) => {
      // A resumed session still holds our subscriptions; a new one has none.
      if (
        this.state === 'started' &&
        !this.leaving &&
        (!connack.sessionPresent || !this.subscribedOnce)
      ) {
        void this.subscribeAll();
      }
    });
    client.on('close', () => this.onConnectionLost());
  }

  /** Messages received and not yet finished (acknowledged, or abandoned to a re-send). */
  get inFlight(): number {
    return this.running.size;
  }

  /** Registers a handler; call before `start()`. */
  add(subscription: PipelinedSubscription): void {
    if (!isValidTopicFilter(subscription.filter)) {
      throw new RangeError(`invalid MQTT topic filter "${subscription.filter}"`);
    }
    if (this.state !== 'created') throw new Error('add() must come before start()');
    this.subscriptions.push(subscription);
  }

  /** Subscribes (now if connected, else on connect) and starts handing out messages. */
  async start(): Promise<void> {
    if (this.state !== 'created') return;
    this.state = 'started';
    this.openGate();
    if (this.client.connected) await this.subscribeAll();
  }

  /** Resolves once the broker granted the subscriptions the first time (SUBACK). */
  whenSubscribed(): Promise<void> {
    return this.subscribed;
  }

  /**
   * Stops handing out messages (later ones stay unacknowledged in the session), lets the
   * running handlers finish and ack for up to `graceMs`, then aborts the rest (not acked:
   * the broker re-sends them) and gives them up to `ABORT_WAIT_MS` to return.
   */
  async stop(graceMs = 0): Promise<void> {
    this.state = 'stopped';
    this.openGate();
    if (await this.settledWithin(graceMs)) return;
    this.options.logger.warn(
      { inFlight: this.running.size, graceMs },
      'MQTT handlers still running at stop; aborted, the broker re-sends their messages',
    );
    this.scope.abort();
    // A send already handed to Kafka ends only at its delivery timeout; its ack is not needed.
    await this.settledWithin(ABORT_WAIT_MS);
  }

  /**
   * Leaves the subscriptions for good: unsubscribes (the broker sends this session nothing new,
   * so no reading is stranded in a session nobody reads), keeps handling what the broker had
   * already queued for it until nothing arrives for DRAIN_QUIET_MS, then stops like `stop`.
   * Everything, the drain included, ends within `graceMs`.
   */
  async leave(graceMs = 0): Promise<void> {
    const deadline = Date.now() + graceMs;
    this.leaving = true;
    if (this.state === 'started' && this.client.connected && this.subscriptions.length > 0) {
      try {
        await this.client.unsubscribeAsync(this.subscriptions.map((s) => s.filter));
        this.options.logger.info(
          { filters: this.subscriptions.map((s) => s.filter) },
          'MQTT subscriptions left; draining what the broker still queues for this session',
        );
        await this.drained(deadline);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'MQTT unsubscribe failed while leaving');
      }
    }
    await this.stop(Math.max(0, deadline - Date.now()));
  }

  private async drained(deadline: number): Promise<void> {
    this.lastArrival = Date.now();
    for (;;) {
      const quietFor = Date.now() - this.lastArrival;
      if (this.running.size === 0 && quietFor >= DRAIN_QUIET_MS) return;
      if (Date.now() >= deadline || !this.client.connected) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private get readLimit(): number {
    return this.options.maxInFlight * READ_STALL_FACTOR;
  }

  private async settledWithin(ms: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const settled = Promise.all([...this.running]).then(() => true as const);
    const result = await Promise.race([settled, timeout]);
    clearTimeout(timer);
    return result;
  }

  private receive(packet: IPublishPacket, callback: (error?: Error) => void): void {
    if (this.state === 'stopped') {
      callback(DEFER_ACK);
      return;
    }
    const receivedAt = Date.now();
    this.lastArrival = receivedAt;
    // The connection is its stream: mqtt.js emits `connect` only after flushing its outgoing
    // store, and a resumed session's messages can arrive before that event.
    const connection = this.client.stream;
    const ticket =
      packet.qos > 0 ? this.window.add(() => this.puback(packet.messageId, connection)) : undefined;
    const task: Promise<void> = this.run(packet, receivedAt, this.scope.signal, ticket).finally(
      () => {
        this.running.delete(task);
        this.resumeReading();
      },
    );
    this.running.add(task);
    const next = () => callback(DEFER_ACK);
    if (this.running.size < this.readLimit) next();
    else {
      this.options.logger.warn(
        { inFlight: this.running.size, maxInFlight: this.options.maxInFlight },
        'MQTT broker sends beyond receiveMaximum; reading paused until handlers finish',
      );
      this.stalled = next;
    }
  }

  private async run(
    packet: IPublishPacket,
    receivedAt: number,
    signal: AbortSignal,
    ticket: AckTicket | undefined,
  ): Promise<void> {
    // A resumed session delivers right after CONNACK, before the handlers are registered.
    await this.gate;
    if (this.state === 'stopped' || signal.aborted) return;
    const subscription = this.subscriptions.find((s) => matchesTopicFilter(s.filter, packet.topic));
    if (!subscription) {
      // A filter of an earlier deployment still in the persistent session: nobody wants it.
      this.options.logger.warn({ topic: packet.topic }, 'MQTT message matches no handler; acked');
      if (ticket) this.window.complete(ticket);
      return;
    }
    const message = toMessage(packet, subscription.filter, receivedAt);
    try {
      await subscription.handler(message, signal);
      this.failures = 0;
      if (ticket) this.window.complete(ticket);
    } catch (error) {
      // Aborted: the connection is gone or we are stopping; the broker re-sends it either way.
      if (signal.aborted || packet.qos === 0) return;
      this.failures += 1;
      const delayMs = mqttReconnectDelayMs(
        this.failures - 1,
        this.options.retryBackoff ?? DEFAULT_RETRY_BACKOFF,
      );
      this.options.logger.error(
        { topic: packet.topic, messageId: packet.messageId, err: error, delayMs },
        'MQTT handler failed; not acked, reconnecting so that the broker re-sends it',
      );
      reconnectAfter(this.client, delayMs);
    }
  }

  private puback(messageId: number | undefined, connection: unknown): void {
    // A packet id is per connection: acking it on a later one could ack another message.
    if (messageId === undefined || connection !== this.client.stream || !this.client.connected)
      return;
    this.sendPacket({ cmd: 'puback', messageId, reasonCode: 0 } as Packet);
  }

  private onConnectionLost(): void {
    const dropped = this.window.clear();
    this.scope.abort();
    this.scope = newScope();
    // The stalled read belongs to the closed stream; releasing it lets mqtt.js discard it.
    const stalled = this.stalled;
    this.stalled = undefined;
    stalled?.();
    if (dropped > 0) {
      this.options.logger.warn(
        { unacknowledged: dropped },
        'MQTT connection lost with messages in flight; the broker re-sends them on reconnect',
      );
    }
  }

  private resumeReading(): void {
    if (this.stalled === undefined || this.running.size >= this.readLimit) return;
    const next = this.stalled;
    this.stalled = undefined;
    next();
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

function toMessage(packet: IPublishPacket, subscription: string, receivedAt: number): MqttMessage {
  return {
    topic: packet.topic,
    payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
    qos: packet.qos,
    retain: packet.retain,
    dup: packet.dup,
    ...(packet.messageId !== undefined ? { messageId: packet.messageId } : {}),
    ...(packet.properties ? { properties: packet.properties } : {}),
    receivedAt,
    subscription,
  };
}
