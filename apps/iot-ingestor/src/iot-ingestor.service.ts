import { defineService } from '@streamline/nest-messaging';
import { IngestCommonModule } from './common/ingest-common.module';
import { SERVICE_NAME } from './common/service-name';
import { iotIngestorConfigSchema } from './config/iot-ingestor.config';
import { ingestorMqttModule } from './mqtt/ingestor-mqtt.module';
import { spoolModule } from './spool/spool.module';
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
  kafka: true,
  producer: (config) => ({
    lingerMs: config.KAFKA_LINGER_MS,
    compression: config.KAFKA_COMPRESSION,
    deliveryTimeoutMs: config.KAFKA_DELIVERY_TIMEOUT_MS,
    // Short: the use case retries a failed send itself (MQTT ack held), so it notices a
    // returning broker within seconds instead of after kafkajs' own long backoff.
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2_000 },
  }),
  nats: (config) => ({ jetstream: { kv: [presenceKvSettings(config)] } }),
  modules: (config) => [
    IngestCommonModule,
    ingestorMqttModule(config),
    ...(config.INGEST_MODE === 'spool' ? [spoolModule(config)] : []),
    PresenceModule,
    TelemetryModule,
  ],
});
