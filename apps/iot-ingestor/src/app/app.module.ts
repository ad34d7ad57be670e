import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule, NatsModule } from '@streamline/nest-messaging';
import { HttpPlumbingModule, PlatformModule, STREAMLINE_VERSION } from '@streamline/platform';
import { IngestCommonModule } from '../common/ingest-common.module';
import { SERVICE_NAME } from '../common/service-name';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';
import { IngestorMqttModule } from '../mqtt/ingestor-mqtt.module';
import { presenceKvSettings, PresenceModule } from '../presence/presence.module';
import { PRESENCE_ERRORS } from '../presence/query-presence.use-case';
import { TelemetryModule } from '../telemetry/telemetry.module';

export { SERVICE_NAME };

/** iot-ingestor: MQTT telemetry into Kafka: validated, ordered, nothing lost; device presence in NATS KV. */
@Module({})
export class AppModule {
  static register(config: IotIngestorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE_NAME, version: STREAMLINE_VERSION, config }),
        HttpPlumbingModule.forRoot({
          errorStatuses: {
            [PRESENCE_ERRORS.NOT_FOUND]: 404,
            [PRESENCE_ERRORS.UNAVAILABLE]: 503,
          },
        }),
        // The kafkajs client of the `kafka` readiness check; the producer has its own (shorter retries).
        KafkaModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: config.KAFKA_CLIENT_ID ?? SERVICE_NAME,
        }),
        NatsModule.forRoot({
          url: config.NATS_URL,
          name: SERVICE_NAME,
          jetstream: { kv: [presenceKvSettings(config)] },
        }),
        IngestCommonModule,
        IngestorMqttModule,
        PresenceModule,
        TelemetryModule,
      ],
    };
  }
}
