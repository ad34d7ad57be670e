import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import {
  MqttSubscriber,
  checkMqtt,
  createMqttClient,
  endMqttSession,
  type MqttConnectionOptions,
} from '@streamline/messaging';
import { ReadinessRegistry } from '@streamline/platform';
import { nestMessagingLogger } from '../logging/nest-messaging-logger';
import { MqttHandlersExplorer } from './mqtt-handlers.explorer';
import { DEFAULT_MQTT_SESSION } from './mqtt-subscribe.decorator';
import {
  MQTT_CLIENT,
  MQTT_SESSIONS,
  MQTT_STOP_POLICY,
  type MqttSession,
  type MqttStopPolicy,
} from './mqtt.tokens';

export { MQTT_CLIENT, MQTT_SESSIONS, type MqttSession } from './mqtt.tokens';

/** What one session may set for itself; the rest comes from the module options. */
export interface MqttSessionOptions extends Pick<
  MqttConnectionOptions,
  'clientId' | 'sessionExpirySeconds' | 'receiveMaximum'
> {
  /** Handlers running at once; default 1 (one message at a time). */
  maxInFlight?: number;
  /** Handler attempts before a retryable failure is dead-lettered. Default 5; Infinity: never. */
  maxAttempts?: number;
}

export interface MqttModuleOptions
  extends MqttSessionOptions, Pick<MqttConnectionOptions, 'url' | 'protocolVersion' | 'backoff'> {
  /**
   * Further sessions by name (`@MqttSubscribe(filter, { session })`): each its own client id,
   * persistent session and ack window, so a slow handler of one never holds the other's acks.
   */
  sessions?: Record<string, MqttSessionOptions>;
  /** At shutdown: leave the subscriptions and end the sessions instead of keeping them. Default false. */
  leaveOnStop?: boolean;
  /** How long running handlers may take to finish and ack at shutdown. Default: as long as they take. */
  stopGraceMs?: number;
}

/** Ends the clients after the subscribers stopped (MqttHandlersExplorer, onModuleDestroy). */
@Injectable()
class MqttClientsCloser implements OnApplicationShutdown {
  private readonly logger = new Logger('MqttModule');

  constructor(
    @Inject(MQTT_SESSIONS) private readonly sessions: MqttSession[],
    @Inject(MQTT_STOP_POLICY) private readonly stopPolicy: MqttStopPolicy,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.sessions.map(async ({ name, client }) => {
        if (!this.stopPolicy.leaveOnStop) return client.endAsync();
        // Left for good: a session kept for a return that never comes would only queue.
        return endMqttSession(client).catch((error: unknown) =>
          this.logger.warn({ err: error, session: name }, 'MQTT session not ended; it expires'),
        );
      }),
    );
  }
}

function openSession(
  name: string,
  options: MqttModuleOptions,
  session: MqttSessionOptions,
): MqttSession {
  const logger = nestMessagingLogger(name === DEFAULT_MQTT_SESSION ? 'mqtt' : `mqtt-${name}`);
  const client = createMqttClient({
    url: options.url,
    clientId: session.clientId,
    logger,
    ...(options.protocolVersion ? { protocolVersion: options.protocolVersion } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...pick(session, 'sessionExpirySeconds', 'receiveMaximum'),
    // Handlers are hooked before connecting: a resumed session delivers right after CONNACK.
    // mqtt.js' own `debug` tracing runs several times per packet even when off: skip it.
    client: { manualConnect: true, log: () => undefined },
  });
  const subscriber = new MqttSubscriber(client, {
    logger,
    ...pick(session, 'maxInFlight', 'maxAttempts'),
  });
  client.connect();
  return { name, client, subscriber };
}

function pick<T extends object, K extends keyof T>(from: T, ...keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(
    keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]),
  ) as Partial<Pick<T, K>>;
}

/**
 * MQTT clients on persistent sessions (MQTT 5, falling back to 3.1.1), one per session, with a
 * readiness check answered by the broker, and the `@MqttSubscribe` handlers of the application
 * wired to them with manual acknowledgement (PUBACK after the handler, in arrival order, up to
 * `maxInFlight` at once). Each subscriber hooks its client before it connects, so messages a
 * resumed session delivers right after CONNACK wait for the handlers.
 */
@Global()
@Module({})
export class MqttModule {
  static forRoot(options: MqttModuleOptions): DynamicModule {
    const stopPolicy: MqttStopPolicy = {
      leaveOnStop: options.leaveOnStop ?? false,
      graceMs: options.stopGraceMs ?? Number.POSITIVE_INFINITY,
    };
    return {
      module: MqttModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: MQTT_STOP_POLICY, useValue: stopPolicy },
        {
          provide: MQTT_SESSIONS,
          inject: [ReadinessRegistry],
          useFactory: (registry: ReadinessRegistry): MqttSession[] => {
            const sessions = [
              openSession(DEFAULT_MQTT_SESSION, options, options),
              ...Object.entries(options.sessions ?? {}).map(([name, session]) =>
                openSession(name, options, {
                  ...pick(options, 'sessionExpirySeconds'),
                  ...session,
                }),
              ),
            ];
            registry.register({
              name: 'mqtt',
              check: async () => {
                await Promise.all(sessions.map((s) => checkMqtt(s.client, options.url)));
              },
            });
            return sessions;
          },
        },
        {
          provide: MQTT_CLIENT,
          inject: [MQTT_SESSIONS],
          useFactory: (sessions: MqttSession[]) => (sessions[0] as MqttSession).client,
        },
        {
          provide: MqttSubscriber,
          inject: [MQTT_SESSIONS],
          useFactory: (sessions: MqttSession[]) => (sessions[0] as MqttSession).subscriber,
        },
        MqttHandlersExplorer,
        MqttClientsCloser,
      ],
      exports: [MQTT_CLIENT, MQTT_SESSIONS, MqttSubscriber],
    };
  }
}
