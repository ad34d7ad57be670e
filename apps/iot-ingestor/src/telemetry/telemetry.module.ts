import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@streamline/platform';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';
import { SERVICE_NAME } from '../common/service-name';
import { PresenceModule } from '../presence/presence.module';
import { INGEST_SETTINGS, ingestSettingsOf } from './ingest-settings';
import { IngestTelemetryUseCase } from './ingest-telemetry.use-case';
import { TelemetryMqttHandler } from './telemetry-mqtt.handler';

/** The telemetry path: MQTT handler and use case (the producer is the service's KafkaProducerService). */
@Module({
  imports: [PresenceModule],
  providers: [
    {
      provide: INGEST_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: IotIngestorConfig) => ingestSettingsOf(config, SERVICE_NAME),
    },
    IngestTelemetryUseCase,
    TelemetryMqttHandler,
  ],
})
export class TelemetryModule {}
