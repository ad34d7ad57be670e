import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule, NatsModule } from '@streamline/nest-messaging';
import { DatabaseModule, PlatformModule, STREAMLINE_VERSION } from '@streamline/platform';
import type { DlqHandlerConfig } from '../config/dlq-handler.config';
import { MIGRATIONS } from '../migrations';

export const SERVICE_NAME = 'dlq-handler';

/** dlq-handler: Retry topics, dead-letter inspection and replay. */
@Module({})
export class AppModule {
  static register(config: DlqHandlerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE_NAME, version: STREAMLINE_VERSION, config }),
        KafkaModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: config.KAFKA_CLIENT_ID ?? SERVICE_NAME,
        }),
        NatsModule.forRoot({ url: config.NATS_URL, name: SERVICE_NAME }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: 'dlq',
          entities: [],
          migrations: MIGRATIONS,
        }),
      ],
    };
  }
}
