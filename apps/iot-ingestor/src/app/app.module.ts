import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule, MqttModule, NatsModule } from '@streamline/nest-messaging';
import { PlatformModule, STREAMLINE_VERSION } from '@streamline/platform';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';

export const SERVICE_NAME = 'iot-ingestor';

/** iot-ingestor: MQTT telemetry into Kafka: validated, ordered, nothing lost; device presence in NATS KV. */
@Module({})
export class AppModule {
  static register(config: IotIngestorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE_NAME, version: STREAMLINE_VERSION, config }),
        KafkaModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: config.KAFKA_CLIENT_ID ?? SERVICE_NAME,
        }),
        NatsModule.forRoot({ url: config.NATS_URL, name: SERVICE_NAME }),
        MqttModule.forRoot({ url: config.MQTT_URL, clientId: config.MQTT_CLIENT_ID }),
      ],
    };
  }
}
