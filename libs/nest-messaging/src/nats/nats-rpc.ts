import { Logger, type INestApplication, type INestMicroservice } from '@nestjs/common';
import {
  ServerNats,
  Transport,
  type ClientOptions,
  type CustomStrategy,
  type NatsOptions,
} from '@nestjs/microservices';

export interface NatsRpcOptions {
  url: string;
  /** Queue group: instances of one service share the requests (normally the service name). */
  queue: string;
  /**
   * false: the app starts without waiting for NATS; the handlers subscribe once it answers (for a
   * service whose main work is elsewhere, whose readiness already reports NATS). Default true.
   */
  blockUntilConnected?: boolean;
}

/** ServerNats whose listen returns at once and connects in the background. */
class BackgroundNatsServer extends ServerNats {
  private readonly log = new Logger('NatsRpc');

  override async listen(callback: () => void): Promise<void> {
    super
      .listen(() => this.log.log('NATS request-reply handlers subscribed'))
      .catch((error: unknown) =>
        this.log.error(`NATS request-reply did not start: ${String(error)}`),
      );
    callback();
  }
}

/** Microservice options for answering core NATS requests with `@MessagePattern(subject)`. */
export function natsRpcServerOptions(options: NatsRpcOptions): NatsOptions {
  return {
    transport: Transport.NATS,
    options: {
      servers: [options.url],
      queue: options.queue,
      name: `${options.queue}-rpc`,
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
    },
  };
}

/**
 * Adds a NATS request-reply server to an HTTP application (call `app.startAllMicroservices()`
 * before `listen`); handlers are controller methods with `@MessagePattern(rpcSubject(...))`.
 */
export function connectNatsRpc(app: INestApplication, options: NatsRpcOptions): INestMicroservice {
  const server = natsRpcServerOptions(options);
  if (options.blockUntilConnected === false) {
    const strategy: CustomStrategy = { strategy: new BackgroundNatsServer(server.options ?? {}) };
    return app.connectMicroservice<CustomStrategy>(strategy, { inheritAppConfig: true });
  }
  return app.connectMicroservice<NatsOptions>(server, { inheritAppConfig: true });
}

/**
 * Client options for `ClientsModule.register` / `ClientProxyFactory.create`. A request waits
 * for its reply for ever unless the caller bounds it (`firstValueFrom(send(...).pipe(timeout(ms)))`).
 */
export function natsRpcClientOptions(options: Pick<NatsRpcOptions, 'url'>): ClientOptions {
  return { transport: Transport.NATS, options: { servers: [options.url] } };
}
