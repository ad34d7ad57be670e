import { Module } from '@nestjs/common';
import { KV_SETTINGS, type KvSettings } from '@streamline/contracts';
import { APP_CONFIG } from '@streamline/platform';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';
import { PRODUCE_RETRY_BACKOFF } from '../telemetry/ingest-settings';
import { NatsPresenceStore, PRESENCE_KV_SETTINGS } from './nats-presence.store';
import { PresenceController } from './presence.controller';
import {
  PRESENCE_REFRESH_OPTIONS,
  PRESENCE_TOUCHER,
  PresenceRefresher,
} from './presence-refresher';
import { PRESENCE_STORE } from './presence.store';
import { QueryPresenceUseCase } from './query-presence.use-case';
import { StatusMqttHandler } from './status-mqtt.handler';
import {
  STATUS_SETTINGS,
  UpdatePresenceUseCase,
  type StatusSettings,
} from './update-presence.use-case';

/** The `device-presence` bucket's settings with the configured bucket name (tests use their own). */
export function presenceKvSettings(config: Pick<IotIngestorConfig, 'PRESENCE_BUCKET'>): KvSettings {
  return { ...KV_SETTINGS.DEVICE_PRESENCE, bucket: config.PRESENCE_BUCKET };
}

/** Device presence: status messages and telemetry refreshes into NATS KV, and the HTTP reads. */
@Module({
  controllers: [PresenceController],
  providers: [
    {
      provide: PRESENCE_KV_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: IotIngestorConfig) => presenceKvSettings(config),
    },
    { provide: PRESENCE_STORE, useClass: NatsPresenceStore },
    {
      provide: PRESENCE_REFRESH_OPTIONS,
      inject: [APP_CONFIG],
      useFactory: (config: IotIngestorConfig) => ({
        intervalMs: config.PRESENCE_REFRESH_MS,
        concurrency: 16,
      }),
    },
    PresenceRefresher,
    { provide: PRESENCE_TOUCHER, useExisting: PresenceRefresher },
    {
      provide: STATUS_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: IotIngestorConfig): StatusSettings => ({
        statusFilter: config.MQTT_STATUS_FILTER,
        retryBackoff: PRODUCE_RETRY_BACKOFF,
      }),
    },
    UpdatePresenceUseCase,
    QueryPresenceUseCase,
    StatusMqttHandler,
  ],
  exports: [PRESENCE_TOUCHER],
})
export class PresenceModule {}
