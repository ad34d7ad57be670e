import { uniqueName } from '@streamline/testing';
import { connectAsync, type MqttClient } from 'mqtt';

export interface SteadyPublisherOptions {
  url: string;
  /** The MQTT topic of a device's telemetry. */
  topicOf: (deviceId: string) => string;
  ratePerSecond: number;
  devices?: number;
  /** Parallel MQTT connections (one mqtt.js client tops out below the rates tests need). */
  connections?: number;
}

const TICK_MS = 20;
/**
 * Unanswered publishes at most: a publisher that fell behind (a busy machine) catches up at
 * this bound instead of firing tens of thousands at once and starving the test process.
 */
const MAX_PENDING = 2_000;

/**
 * Devices publishing QoS 1 readings `{ ts, seq, metrics }` at a steady rate (seq 0, 1, 2…),
 * spread over a few connections. `acked` holds every seq the broker acknowledged (PUBACK): the
 * readings the chain is answerable for.
 */
export class SteadyPublisher {
  readonly acked = new Set<number>();
  private sent = 0;
  private failed = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<void>>();
  private startedAt = 0;

  private constructor(
    private readonly clients: MqttClient[],
    private readonly options: SteadyPublisherOptions,
  ) {}

  static async connect(options: SteadyPublisherOptions): Promise<SteadyPublisher> {
    const id = uniqueName('it-devices');
    const clients = await Promise.all(
      Array.from({ length: options.connections ?? 2 }, (_, i) =>
        connectAsync(options.url, { clientId: `${id}-${i}`, protocolVersion: 5, clean: true }),
      ),
    );
    return new SteadyPublisher(clients, options);
  }

  /** Readings handed to the clients so far. */
  get published(): number {
    return this.sent;
  }

  /** Publishes failed (never acknowledged): these are not the chain's to deliver. */
  get failures(): number {
    return this.failed;
  }

  start(): void {
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops publishing and waits for the broker's answer to every reading sent. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.stop();
    await Promise.all(this.clients.map((c) => c.endAsync()));
  }

  private tick(): void {
    const due = Math.floor(((Date.now() - this.startedAt) * this.options.ratePerSecond) / 1000);
    const devices = this.options.devices ?? 50;
    for (; this.sent < due && this.pending.size < MAX_PENDING; this.sent++) {
      const seq = this.sent;
      const client = this.clients[seq % this.clients.length] as MqttClient;
      const reading = JSON.stringify({ ts: Date.now(), seq, metrics: { v: seq } });
      const publish = client
        .publishAsync(this.options.topicOf(`dev-${seq % devices}`), reading, { qos: 1 })
        .then(
          () => void this.acked.add(seq),
          () => void (this.failed += 1),
        );
      this.pending.add(publish);
      void publish.finally(() => this.pending.delete(publish));
    }
  }
}
