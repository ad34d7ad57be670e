import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule, NatsModule } from '@streamline/nest-messaging';
import { DatabaseModule, PlatformModule, STREAMLINE_VERSION } from '@streamline/platform';
import type { CdcSinkConfig } from '../config/cdc-sink.config';
import { MIGRATIONS } from '../migrations';

export const SERVICE_NAME = 'cdc-sink';

/** cdc-sink: Change events and aggregates into Postgres with exactly-once effect. */
@Module({})
export class AppModule {
  static register(config: CdcSinkConfig): DynamicModule {
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
          schema: 'analytics',
          entities: [],
          migrations: MIGRATIONS,
        }),
      ],
    };
  }
}
