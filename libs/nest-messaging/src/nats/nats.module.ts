import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JetStreamPublisher, NatsConnectionHandle } from '@streamline/messaging';
import { ReadinessRegistry } from '@streamline/platform';
import { nestMessagingLogger } from '../logging/nest-messaging-logger';
import { JetStreamConsumersService } from './jetstream-consumers.service';
import { JetStreamProvisioningService } from './jetstream-provisioning.service';
import { NATS_CONNECTION, NATS_MODULE_OPTIONS, type NatsModuleOptions } from './nats.tokens';

export { NATS_CONNECTION, NATS_MODULE_OPTIONS } from './nats.tokens';
export type { NatsModuleOptions } from './nats.tokens';

/** Drains the connection after the consumers stopped (they stop in onModuleDestroy). */
@Injectable()
class NatsConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly handle: NatsConnectionHandle) {}

  async onApplicationShutdown(): Promise<void> {
    await this.handle.close();
  }
}

/** Registers the `nats` readiness check: the server answers a PING and provisioning is done. */
@Injectable()
class NatsReadiness {
  constructor(
    @Inject(NATS_CONNECTION) handle: NatsConnectionHandle,
    provisioning: JetStreamProvisioningService,
    registry: ReadinessRegistry,
  ) {
    registry.register({
      name: 'nats',
      check: async () => {
        await handle.ping();
        provisioning.assertReady();
      },
    });
  }
}

/**
 * A NATS connection for the service, with JetStream on top: provisioning of the declared
 * streams, consumers and KV buckets (in the background, once connected), an injectable
 * `JetStreamPublisher`, and the pull consumers declared with `@JetStreamConsumer`.
 */
@Global()
@Module({})
export class NatsModule {
  static forRoot(options: NatsModuleOptions): DynamicModule {
    return {
      module: NatsModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: NATS_MODULE_OPTIONS, useValue: options },
        {
          provide: NATS_CONNECTION,
          useFactory: () =>
            new NatsConnectionHandle({
              url: options.url,
              name: options.name,
              logger: nestMessagingLogger('nats'),
            }),
        },
        {
          provide: JetStreamPublisher,
          inject: [NATS_CONNECTION],
          useFactory: (handle: NatsConnectionHandle) =>
            new JetStreamPublisher(async () => (await handle.get()).jetstream()),
        },
        JetStreamProvisioningService,
        JetStreamConsumersService,
        NatsReadiness,
        NatsConnectionCloser,
      ],
      exports: [
        NATS_CONNECTION,
        NATS_MODULE_OPTIONS,
        JetStreamPublisher,
        JetStreamProvisioningService,
        JetStreamConsumersService,
      ],
    };
  }
}
