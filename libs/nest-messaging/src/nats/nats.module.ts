import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { NatsConnectionHandle } from '@streamline/messaging';
import { ReadinessRegistry } from '@streamline/platform';
import { nestMessagingLogger } from '../logging/nest-messaging-logger';

/** Injection token of the process's NATS connection handle. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

class NatsConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly handle: NatsConnectionHandle) {}

  async onApplicationShutdown(): Promise<void> {
    await this.handle.close();
  }
}

/** A NATS connection (JetStream comes from it) with a readiness check that PINGs the server. */
@Global()
@Module({})
export class NatsModule {
  static forRoot(options: { url: string; name: string }): DynamicModule {
    return {
      module: NatsModule,
      providers: [
        {
          provide: NATS_CONNECTION,
          inject: [ReadinessRegistry],
          useFactory: (registry: ReadinessRegistry) => {
            const handle = new NatsConnectionHandle({
              ...options,
              logger: nestMessagingLogger('nats'),
            });
            registry.register({ name: 'nats', check: () => handle.ping() });
            return handle;
          },
        },
        NatsConnectionCloser,
      ],
      exports: [NATS_CONNECTION],
    };
  }
}
