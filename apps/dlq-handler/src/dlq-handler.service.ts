import type { ServiceDefinition } from '@streamline/platform';
import { STREAMLINE_VERSION } from '@streamline/platform';
import { AppModule, SERVICE_NAME } from './app/app.module';
import { dlqHandlerConfigSchema } from './config/dlq-handler.config';

/** How the platform runs dlq-handler: used by main.ts and by the tests that boot it. */
export const dlqHandlerService: ServiceDefinition<typeof dlqHandlerConfigSchema> = {
  name: SERVICE_NAME,
  description: 'Retry topics, dead-letter inspection and replay.',
  version: STREAMLINE_VERSION,
  configSchema: dlqHandlerConfigSchema,
  module: (config) => AppModule.register(config),
};
