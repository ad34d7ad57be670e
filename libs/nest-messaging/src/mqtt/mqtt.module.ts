import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { checkMqtt, createMqttClient } from '@streamline/messaging';
import { ReadinessRegistry } from '@streamline/platform';
import type { MqttClient } from 'mqtt';
import { nestMessagingLogger } from '../logging/nest-messaging-logger';

/** Injection token of the process's MQTT client. */
export const MQTT_CLIENT = Symbol('MQTT_CLIENT');

class MqttClientCloser implements OnApplicationShutdown {
  constructor(@Inject(MQTT_CLIENT) private readonly client: MqttClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.endAsync();
  }
}

/** An MQTT 5 client on a persistent session, with a readiness check answered by the broker. */
@Global()
@Module({})
export class MqttModule {
  static forRoot(options: { url: string; clientId: string }): DynamicModule {
    return {
      module: MqttModule,
      providers: [
        {
          provide: MQTT_CLIENT,
          inject: [ReadinessRegistry],
          useFactory: (registry: ReadinessRegistry): MqttClient => {
            const client = createMqttClient({ ...options, logger: nestMessagingLogger('mqtt') });
            registry.register({ name: 'mqtt', check: () => checkMqtt(client, options.url) });
            return client;
          },
        },
        MqttClientCloser,
      ],
      exports: [MQTT_CLIENT],
    };
  }
}
