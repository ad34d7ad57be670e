import type { ServiceDefinition } from '@streamline/platform';
import { STREAMLINE_VERSION } from '@streamline/platform';
import { AppModule, SERVICE_NAME } from './app/app.module';
import { eventProducerConfigSchema } from './config/event-producer.config';

/** How the platform runs event-producer: used by main.ts and by the tests that boot it. */
export const eventProducerService: ServiceDefinition<typeof eventProducerConfigSchema> = {
  name: SERVICE_NAME,
  description:
    'HTTP front door to Kafka for user-activity events, and the device registry in Postgres.',
  version: STREAMLINE_VERSION,
  configSchema: eventProducerConfigSchema,
  module: (config) => AppModule.register(config),
};
