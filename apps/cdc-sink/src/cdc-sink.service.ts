import type { ServiceDefinition } from '@streamline/platform';
import { STREAMLINE_VERSION } from '@streamline/platform';
import { AppModule, SERVICE_NAME } from './app/app.module';
import { cdcSinkConfigSchema } from './config/cdc-sink.config';

/** How the platform runs cdc-sink: used by main.ts and by the tests that boot it. */
export const cdcSinkService: ServiceDefinition<typeof cdcSinkConfigSchema> = {
  name: SERVICE_NAME,
  description: 'Change events and aggregates into Postgres with exactly-once effect.',
  version: STREAMLINE_VERSION,
  configSchema: cdcSinkConfigSchema,
  module: (config) => AppModule.register(config),
};
