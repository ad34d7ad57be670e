import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@streamline/nest-messaging';
import { DatabaseModule, PlatformModule, STREAMLINE_VERSION } from '@streamline/platform';
import type { EventProducerConfig } from '../config/event-producer.config';
import { MIGRATIONS } from '../migrations';

export const SERVICE_NAME = 'event-producer';

/** event-producer: HTTP front door to Kafka for user-activity events, and the device registry in Postgres. */
@Module({})
export class AppModule {
  static register(config: EventProducerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE_NAME, version: STREAMLINE_VERSION, config }),
        KafkaModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: config.KAFKA_CLIENT_ID ?? SERVICE_NAME,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: 'registry',
          entities: [],
          migrations: MIGRATIONS,
        }),
      ],
    };
  }
}
