import { connect, type NatsConnection } from 'nats';
import type { MessagingLogger } from '../logging/messaging-logger';

const FIRST_CONNECT_RETRY_MS = 1_000;

/**
 * A NATS connection that is established in the background and re-established for ever,
 * so a service starts while NATS is down and reports it through readiness instead.
 * The first connect is our own loop (nats.js' `waitOnFirstConnect` cannot be cancelled),
 * so `close()` before NATS ever answered leaves no timer or socket behind.
 */
export class NatsConnectionHandle {
  private connection: NatsConnection | undefined;
  private readonly connecting: Promise<NatsConnection>;
  private closed = false;
  private lastError = 'not connected yet';
  private wakeRetry: (() => void) | undefined;

  constructor(private readonly options: { url: string; name: string; logger: MessagingLogger }) {
    this.connecting = this.connectUntilClosed();
    // Callers of get() see the rejection; this keeps an unobserved one from crashing the process.
    this.connecting.catch(() => undefined);
  }

  /** The live connection, waiting for the first connect if needed. */
  get(): Promise<NatsConnection> {
    return this.connecting;
  }

  /** Round-trips a PING to the server; rejects when not connected. */
  async ping(): Promise<void> {
    const nc = this.connection;
    if (!nc || nc.isClosed())
      throw new Error(`not connected to ${this.options.url}: ${this.lastError}`);
    await nc.flush();
  }

  /** Drains subscriptions and closes; safe to call before the first connect. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeRetry?.();
    const nc = this.connection;
    if (nc && !nc.isClosed()) await nc.drain();
  }

  private async connectUntilClosed(): Promise<NatsConnection> {
    let warned = false;
    while (!this.closed) {
      try {
        const nc = await connect({
          servers: this.options.url,
          name: this.options.name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: FIRST_CONNECT_RETRY_MS,
        });
        if (this.closed) {
          await nc.close();
          break;
        }
        this.connection = nc;
        this.options.logger.info({ server: nc.getServer() }, 'connected to NATS');
        void this.watch(nc);
        return nc;
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        if (!warned)
          this.options.logger.warn(
            { url: this.options.url, err: this.lastError },
            'NATS not reachable; retrying',
          );
        warned = true;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, FIRST_CONNECT_RETRY_MS);
          this.wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    throw new Error(`NATS connection to ${this.options.url} closed before it was established`);
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
