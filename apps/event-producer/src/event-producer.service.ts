import { defineService } from '@streamline/nest-messaging';
import { EVENT_PRODUCER_ERROR_STATUSES } from './common/error-statuses';
import { eventProducerConfigSchema } from './config/event-producer.config';
import { DeviceEntity } from './devices/device.entity';
import { DevicesModule } from './devices/devices.module';
import { EventsModule } from './events/events.module';
import { KAFKA_JSON_V2 } from './events/topic-records.controller';
import { IdempotencyKeyEntity } from './idempotency/idempotency-key.entity';
import { MIGRATIONS } from './migrations';

/** event-producer, declared once: used by main.ts and by the tests that boot it. */
export const eventProducerService = defineService({
  name: 'event-producer',
  description:
    'HTTP front door to Kafka for user-activity events, and the device registry in Postgres.',
  configSchema: eventProducerConfigSchema,
  http: (config) => ({
    errorStatuses: EVENT_PRODUCER_ERROR_STATUSES,
    rateLimit: {
      max: config.RATE_LIMIT_MAX,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      keyHeader: config.RATE_LIMIT_KEY_HEADER,
      apiKeys: config.API_KEYS,
    },
    jsonMediaTypes: [KAFKA_JSON_V2, 'application/merge-patch+json'],
  }),
  kafka: true,
  producer: (config) => ({
    lingerMs: config.KAFKA_LINGER_MS,
    compression: config.KAFKA_COMPRESSION,
    deliveryTimeoutMs: config.KAFKA_DELIVERY_TIMEOUT_MS,
  }),
  database: {
    schema: 'registry',
    entities: [DeviceEntity, IdempotencyKeyEntity],
    migrations: MIGRATIONS,
  },
  modules: [EventsModule, DevicesModule],
});
