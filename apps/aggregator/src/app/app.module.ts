import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule, NatsModule } from '@streamline/nest-messaging';
import { PlatformModule, STREAMLINE_VERSION } from '@streamline/platform';
import type { AggregatorConfig } from '../config/aggregator.config';

export const SERVICE_NAME = 'aggregator';

/** aggregator: Event-time windows with watermarks over telemetry and user activity, exactly-once into Kafka; alerts to JetStream. */
@Module({})
export class AppModule {
  static register(config: AggregatorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE_NAME, version: STREAMLINE_VERSION, config }),
        KafkaModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: config.KAFKA_CLIENT_ID ?? SERVICE_NAME,
        }),
        NatsModule.forRoot({ url: config.NATS_URL, name: SERVICE_NAME }),
      ],
    };
  }
}
