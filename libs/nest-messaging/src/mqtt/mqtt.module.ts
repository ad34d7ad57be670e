import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import {
  MqttSubscriber,
  checkMqtt,
  createMqttClient,
  type MqttConnectionOptions,
} from '@streamline/messaging';
import { ReadinessRegistry } from '@streamline/platform';
import type { MqttClient } from 'mqtt';
import { nestMessagingLogger } from '../logging/nest-messaging-logger';
import { MqttHandlersExplorer } from './mqtt-handlers.explorer';

/** Injection token of the process's MQTT client. */
export const MQTT_CLIENT = Symbol('MQTT_CLIENT');
const MQTT_CONNECTION = Symbol('MQTT_CONNECTION');

export interface MqttModuleOptions extends Pick<
  MqttConnectionOptions,
  'url' | 'clientId' | 'protocolVersion' | 'sessionExpirySeconds' | 'receiveMaximum' | 'backoff'
> {
  /** Handler attempts before a retryable failure is dead-lettered. Default 5. */
  maxAttempts?: number;
}

interface MqttConnection {
  client: MqttClient;
  subscriber: MqttSubscriber;
}

/** Ends the client after the subscriber stopped (MqttHandlersExplorer stops it in onModuleDestroy). */
@Injectable()
class MqttClientCloser implements OnApplicationShutdown {
  constructor(@Inject(MQTT_CLIENT) private readonly client: MqttClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.endAsync();
  }
}

/**
 * An MQTT client on a persistent session (MQTT 5, falling back to 3.1.1), with a readiness
 * check answered by the broker, and the `@MqttSubscribe` handlers of the application wired
 * to it with manual acknowledgement. The subscriber hooks the client before it connects, so
 * messages a resumed session delivers right after CONNACK wait for the handlers.
 */
@Global()
@Module({})
export class MqttModule {
  static forRoot(options: MqttModuleOptions): DynamicModule {
    return {
      module: MqttModule,
      imports: [DiscoveryModule],
      providers: [
        {
          provide: MQTT_CONNECTION,
          inject: [ReadinessRegistry],
          useFactory: (registry: ReadinessRegistry): MqttConnection => {
            const logger = nestMessagingLogger('mqtt');
            const client = createMqttClient({
              ...options,
              logger,
              client: { manualConnect: true },
            });
            const subscriber = new MqttSubscriber(client, {
              logger,
              ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
            });
            registry.register({ name: 'mqtt', check: () => checkMqtt(client, options.url) });
            client.connect();
            return { client, subscriber };
          },
        },
        {
          provide: MQTT_CLIENT,
          inject: [MQTT_CONNECTION],
          useFactory: (connection: MqttConnection) => connection.client,
        },
        {
          provide: MqttSubscriber,
          inject: [MQTT_CONNECTION],
          useFactory: (connection: MqttConnection) => connection.subscriber,
        },
        MqttHandlersExplorer,
        MqttClientCloser,
      ],
      exports: [MQTT_CLIENT, MqttSubscriber],
    };
  }
}
