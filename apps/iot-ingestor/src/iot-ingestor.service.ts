import type { ServiceDefinition } from '@streamline/platform';
import { STREAMLINE_VERSION } from '@streamline/platform';
import { AppModule, SERVICE_NAME } from './app/app.module';
import { iotIngestorConfigSchema } from './config/iot-ingestor.config';

/** How the platform runs iot-ingestor: used by main.ts and by the tests that boot it. */
export const iotIngestorService: ServiceDefinition<typeof iotIngestorConfigSchema> = {
  name: SERVICE_NAME,
  description:
    'MQTT telemetry into Kafka: validated, ordered, nothing lost; device presence in NATS KV.',
  version: STREAMLINE_VERSION,
  configSchema: iotIngestorConfigSchema,
  module: (config) => AppModule.register(config),
};
