import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule, KafkaProducerModule } from '@streamline/nest-messaging';
import {
  DatabaseModule,
  HttpPlumbingModule,
  PlatformModule,
  STREAMLINE_VERSION,
} from '@streamline/platform';
import { EVENT_PRODUCER_ERROR_STATUSES } from '../common/error-statuses';
import type { EventProducerConfig } from '../config/event-producer.config';
import { DeviceEntity } from '../devices/device.entity';
import { DevicesModule } from '../devices/devices.module';
import { EventsModule } from '../events/events.module';
import { KAFKA_JSON_V2 } from '../events/topic-records.controller';
import { IdempotencyKeyEntity } from '../idempotency/idempotency-key.entity';
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
        HttpPlumbingModule.forRoot({
          errorStatuses: EVENT_PRODUCER_ERROR_STATUSES,
          rateLimit: {
            max: config.RATE_LIMIT_MAX,
            windowMs: config.RATE_LIMIT_WINDOW_MS,
            keyHeader: config.RATE_LIMIT_KEY_HEADER,
          },
          jsonMediaTypes: [KAFKA_JSON_V2, 'application/merge-patch+json'],
        }),
        KafkaModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: config.KAFKA_CLIENT_ID ?? SERVICE_NAME,
        }),
        KafkaProducerModule.forRoot({
          lingerMs: config.KAFKA_LINGER_MS,
          compression: config.KAFKA_COMPRESSION,
          deliveryTimeoutMs: config.KAFKA_DELIVERY_TIMEOUT_MS,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: 'registry',
          entities: [DeviceEntity, IdempotencyKeyEntity],
          migrations: MIGRATIONS,
        }),
        EventsModule,
        DevicesModule,
      ],
    };
  }
}
