import type { ServiceDefinition } from '@streamline/platform';
import { STREAMLINE_VERSION } from '@streamline/platform';
import { AppModule, SERVICE_NAME } from './app/app.module';
import { aggregatorConfigSchema } from './config/aggregator.config';

/** How the platform runs aggregator: used by main.ts and by the tests that boot it. */
export const aggregatorService: ServiceDefinition<typeof aggregatorConfigSchema> = {
  name: SERVICE_NAME,
  description:
    'Event-time windows with watermarks over telemetry and user activity, exactly-once into Kafka; alerts to JetStream.',
  version: STREAMLINE_VERSION,
  configSchema: aggregatorConfigSchema,
  module: (config) => AppModule.register(config),
};
