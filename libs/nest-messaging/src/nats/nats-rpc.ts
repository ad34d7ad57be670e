import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { Transport, type ClientOptions, type NatsOptions } from '@nestjs/microservices';

export interface NatsRpcOptions {
  url: string;
  /** Queue group: instances of one service share the requests (normally the service name). */
  queue: string;
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
  return app.connectMicroservice<NatsOptions>(natsRpcServerOptions(options), {
    inheritAppConfig: true,
  });
}

/**
 * Client options for `ClientsModule.register` / `ClientProxyFactory.create`. A request waits
 * for its reply for ever unless the caller bounds it (`firstValueFrom(send(...).pipe(timeout(ms)))`).
 */
export function natsRpcClientOptions(options: Pick<NatsRpcOptions, 'url'>): ClientOptions {
  return { transport: Transport.NATS, options: { servers: [options.url] } };
}
