import { Module } from '@nestjs/common';
import { AlertsSinkService } from './alerts-sink.service';

/** JetStream `ALERTS` → `analytics.alerts` (needs SinkModule's pool and NatsModule's consumers). */
@Module({ providers: [AlertsSinkService] })
export class AlertsModule {}
