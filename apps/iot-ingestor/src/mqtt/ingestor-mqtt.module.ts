import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { checkMqtt, createMqttClient, endMqttSession } from '@streamline/messaging';
import { nestMessagingLogger } from '@streamline/nest-messaging';
import { APP_CONFIG, ReadinessRegistry } from '@streamline/platform';
import type { MqttClient } from 'mqtt';
import { IngestMetrics, type MessageKind } from '../common/ingest.metrics';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';
import { PipelinedMqttSubscriber } from './pipelined-mqtt-subscriber';

/** The subscriber of the shared telemetry session (client id = MQTT_CLIENT_ID). */
export const TELEMETRY_SUBSCRIBER = Symbol('TELEMETRY_SUBSCRIBER');
/** The subscriber of the status session (client id = `<MQTT_CLIENT_ID>-status`). */
export const STATUS_SUBSCRIBER = Symbol('STATUS_SUBSCRIBER');
const MQTT_SESSIONS = Symbol('MQTT_SESSIONS');

interface MqttSession {
  kind: MessageKind;
  client: MqttClient;
  subscriber: PipelinedMqttSubscriber;
}

/** The client id of the status session: its own session, so a NATS outage never holds telemetry acks. */
export function statusClientId(telemetryClientId: string): string {
  return `${telemetryClientId}-status`;
}

function openSession(
  config: IotIngestorConfig,
  kind: MessageKind,
  metrics: IngestMetrics,
): MqttSession {
  const logger = nestMessagingLogger(`mqtt-${kind}`);
  const client = createMqttClient({
    url: config.MQTT_URL,
    clientId: kind === 'telemetry' ? config.MQTT_CLIENT_ID : statusClientId(config.MQTT_CLIENT_ID),
    logger,
    receiveMaximum: config.MQTT_RECEIVE_MAXIMUM,
    sessionExpirySeconds: config.MQTT_SESSION_EXPIRY_SECONDS,
    // Handlers are hooked before connecting: a resumed session delivers right after CONNACK.
    // mqtt.js' own `debug` tracing runs several times per packet even when off: skip it.
    client: { manualConnect: true, log: () => undefined },
  });
  const subscriber = new PipelinedMqttSubscriber(client, {
    logger,
    maxInFlight: config.MQTT_RECEIVE_MAXIMUM,
  });
  metrics.trackInFlight(kind, () => subscriber.inFlight);
  client.connect();
  return { kind, client, subscriber };
}

/**
 * Starts the subscribers once every handler registered (onModuleInit), stops them first on
 * shutdown (running messages finish and ack within half the shutdown timeout, the rest stay
 * unacknowledged in the session), and ends the clients last. `mqtt` readiness: both sessions
 * answer a QoS 1 probe.
 */
@Injectable()
class MqttSessionsLifecycle
  implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger('MqttSessions');

  constructor(
    @Inject(MQTT_SESSIONS) private readonly sessions: MqttSession[],
    @Inject(APP_CONFIG) private readonly config: IotIngestorConfig,
    registry: ReadinessRegistry,
  ) {
    registry.register({
      name: 'mqtt',
      check: async () => {
        await Promise.all(sessions.map((s) => checkMqtt(s.client, config.MQTT_URL)));
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.subscriber.start()));
  }

  async onModuleDestroy(): Promise<void> {
    const graceMs = Math.floor(this.config.SHUTDOWN_TIMEOUT_MS / 2);
    const leave = this.config.MQTT_LEAVE_SHARE_ON_STOP;
    await Promise.all(
      this.sessions.map((s) => (leave ? s.subscriber.leave(graceMs) : s.subscriber.stop(graceMs))),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.config.MQTT_LEAVE_SHARE_ON_STOP) {
      await Promise.all(this.sessions.map((s) => s.client.endAsync()));
      return;
    }
    // Left for good: a session kept for a restart that never comes would only queue.
    await Promise.all(
      this.sessions.map((s) =>
        endMqttSession(s.client).catch((error: unknown) =>
          this.logger.warn({ err: error, kind: s.kind }, 'MQTT session not ended; it expires'),
        ),
      ),
    );
  }
}

/** The ingestor's two MQTT sessions, each with a pipelined subscriber (manual, ordered acks). */
@Global()
@Module({
  providers: [
    {
      provide: MQTT_SESSIONS,
      inject: [APP_CONFIG, IngestMetrics],
      useFactory: (config: IotIngestorConfig, metrics: IngestMetrics): MqttSession[] => [
        openSession(config, 'telemetry', metrics),
        openSession(config, 'status', metrics),
      ],
    },
    {
      provide: TELEMETRY_SUBSCRIBER,
      inject: [MQTT_SESSIONS],
      useFactory: (sessions: MqttSession[]) => sessionOf(sessions, 'telemetry').subscriber,
    },
    {
      provide: STATUS_SUBSCRIBER,
      inject: [MQTT_SESSIONS],
      useFactory: (sessions: MqttSession[]) => sessionOf(sessions, 'status').subscriber,
    },
    MqttSessionsLifecycle,
  ],
  exports: [TELEMETRY_SUBSCRIBER, STATUS_SUBSCRIBER],
})
export class IngestorMqttModule {}

function sessionOf(sessions: MqttSession[], kind: MessageKind): MqttSession {
  const session = sessions.find((s) => s.kind === kind);
  if (!session) throw new Error(`no ${kind} MQTT session`);
  return session;
}
