import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { MQTT_SESSIONS, MqttModule, type MqttSession } from '@streamline/nest-messaging';
import { IngestMetrics, type MessageKind } from '../common/ingest.metrics';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';

/** The session of the status subscription (`@MqttSubscribe(…, { session: STATUS_SESSION })`). */
export const STATUS_SESSION = 'status';

/** The client id of the status session: its own session, so a NATS outage never holds telemetry acks. */
export function statusClientId(telemetryClientId: string): string {
  return `${telemetryClientId}-status`;
}

/** Feeds `iot_ingestor_messages_in_flight` from each session's subscriber. */
@Injectable()
class InFlightGauges {
  constructor(@Inject(MQTT_SESSIONS) sessions: MqttSession[], metrics: IngestMetrics) {
    for (const { name, subscriber } of sessions) {
      const kind: MessageKind = name === STATUS_SESSION ? 'status' : 'telemetry';
      metrics.trackInFlight(kind, () => subscriber.inFlight);
    }
  }
}

@Module({})
class IngestorMqttModule {}

/**
 * The ingestor's two MQTT sessions through the library's MqttModule: telemetry on
 * MQTT_CLIENT_ID (the shared subscription), status on `<id>-status`. Each handles up to
 * MQTT_RECEIVE_MAXIMUM messages at once with in-order PUBACKs after the handler; a handler that
 * fails is retried by redelivery for ever (the use cases dead-letter what is invalid
 * themselves, so a failure is a passing fault). At shutdown the running messages get half of
 * SHUTDOWN_TIMEOUT_MS; MQTT_LEAVE_SHARE_ON_STOP makes the instance leave the share for good.
 */
export function ingestorMqttModule(config: IotIngestorConfig): DynamicModule {
  const window = {
    receiveMaximum: config.MQTT_RECEIVE_MAXIMUM,
    maxInFlight: config.MQTT_RECEIVE_MAXIMUM,
    maxAttempts: Number.POSITIVE_INFINITY,
  };
  return {
    module: IngestorMqttModule,
    imports: [
      MqttModule.forRoot({
        url: config.MQTT_URL,
        clientId: config.MQTT_CLIENT_ID,
        sessionExpirySeconds: config.MQTT_SESSION_EXPIRY_SECONDS,
        ...window,
        sessions: {
          [STATUS_SESSION]: { clientId: statusClientId(config.MQTT_CLIENT_ID), ...window },
        },
        leaveOnStop: config.MQTT_LEAVE_SHARE_ON_STOP,
        stopGraceMs: Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2),
      }),
    ],
    providers: [InFlightGauges],
  };
}
