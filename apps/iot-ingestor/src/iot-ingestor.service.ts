import { defineService } from '@streamline/nest-messaging';
import { IngestCommonModule } from './common/ingest-common.module';
import { SERVICE_NAME } from './common/service-name';
import { iotIngestorConfigSchema } from './config/iot-ingestor.config';
import { IngestorMqttModule } from './mqtt/ingestor-mqtt.module';
import { presenceKvSettings, PresenceModule } from './presence/presence.module';
import { PRESENCE_ERRORS } from './presence/query-presence.use-case';
import { TelemetryModule } from './telemetry/telemetry.module';

/** iot-ingestor, declared once: used by main.ts and by the tests that boot it. */
export const iotIngestorService = defineService({
  name: SERVICE_NAME,
  description:
    'MQTT telemetry into Kafka: validated, ordered, nothing lost; device presence in NATS KV.',
  configSchema: iotIngestorConfigSchema,
  http: {
    errorStatuses: {
      [PRESENCE_ERRORS.NOT_FOUND]: 404,
      [PRESENCE_ERRORS.UNAVAILABLE]: 503,
    },
  },
  // The kafkajs client of the `kafka` readiness check; the producer has its own (shorter retries).
  kafka: true,
  nats: (config) => ({ jetstream: { kv: [presenceKvSettings(config)] } }),
  modules: [IngestCommonModule, IngestorMqttModule, PresenceModule, TelemetryModule],
});
