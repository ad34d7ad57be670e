import { connect, type NatsConnection } from 'nats';
import type { MessagingLogger } from '../logging/messaging-logger';

/**
 * A NATS connection that is established in the background and re-established for ever,
 * so a service starts while NATS is down and reports it through readiness instead.
 */
export class NatsConnectionHandle {
  private connection: NatsConnection | undefined;
  private readonly connecting: Promise<NatsConnection>;
  private closed = false;

  constructor(private readonly options: { url: string; name: string; logger: MessagingLogger }) {
    this.connecting = connect({
      servers: options.url,
      name: options.name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
    });
    this.connecting.then(
      (nc) => {
        this.connection = nc;
        options.logger.info({ server: nc.getServer() }, 'connected to NATS');
        if (this.closed) void nc.close();
        void this.watch(nc);
      },
      (error: unknown) => options.logger.error({ err: error }, 'NATS connection failed'),
    );
  }

  /** The live connection, waiting for the first connect if needed. */
  get(): Promise<NatsConnection> {
    return this.connecting;
  }

  /** Round-trips a PING to the server; rejects when not connected. */
  async ping(): Promise<void> {
    const nc = this.connection;
    if (!nc || nc.isClosed()) throw new Error(`not connected to ${this.options.url}`);
    await nc.flush();
  }

  /** Drains subscriptions and closes; safe to call before the first connect. */
  async close(): Promise<void> {
    this.closed = true;
    const nc = this.connection;
    if (nc && !nc.isClosed()) await nc.drain();
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') {
        this.options.logger.warn(
          { status: status.type, data: status.data },
          'NATS connection status',
        );
      }
    }
  }
}
