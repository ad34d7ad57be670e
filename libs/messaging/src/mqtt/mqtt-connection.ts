import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MessagingLogger } from '../logging/messaging-logger';
import {
  DEFAULT_MQTT_BACKOFF,
  attachReconnectBackoff,
  type MqttBackoffPolicy,
} from './mqtt-reconnect-backoff';

export interface MqttConnectionOptions {
  url: string;
  /** Stable per instance, so the broker keeps the persistent session across restarts. */
  clientId: string;
  logger: MessagingLogger;
  /** 5 (default) falls back to 4 (3.1.1) if the broker refuses v5; 4 never tries v5. */
  protocolVersion?: 4 | 5;
  /** MQTT 5 session expiry: how long the broker keeps the session (and queues) while we are away. */
  sessionExpirySeconds?: number;
  /** MQTT 5: unacknowledged QoS 1/2 messages the broker may push to us at once. */
  receiveMaximum?: number;
  backoff?: MqttBackoffPolicy;
  /** Extra mqtt.js options (will, credentials, `manualConnect`…); they win over the defaults. */
  client?: Partial<IClientOptions>;
}

export const MQTT_DEFAULTS = {
  sessionExpirySeconds: 3_600,
  receiveMaximum: 16,
  keepaliveSeconds: 30,
} as const;

/** CONNACK codes meaning "not this protocol version": 3.1.1's 0x01 and MQTT 5's 0x84. */
export const UNSUPPORTED_PROTOCOL_CODES: readonly number[] = [0x01, 0x84];

/**
 * An MQTT client on a persistent session (`clean: false`, stable client id, session expiry on
 * v5) that reconnects for ever with exponential backoff and falls back to 3.1.1 when the broker
 * refuses MQTT 5; created disconnected-tolerant so the service starts while the broker is down.
 */
export function createMqttClient(options: MqttConnectionOptions): MqttClient {
  const version = options.protocolVersion ?? 5;
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    protocolVersion: version,
    clean: false,
    ...(version === 5 ? { properties: v5Properties(options) } : {}),
    connectTimeout: 5_000,
    keepalive: MQTT_DEFAULTS.keepaliveSeconds,
    // A refused CONNACK (not authorised, wrong version) is retried too: the broker may change.
    reconnectOnConnackError: true,
    // MqttSubscriber subscribes again itself when a session was not resumed.
    resubscribe: false,
    ...options.client,
  });
  attachReconnectBackoff(client, options.backoff ?? DEFAULT_MQTT_BACKOFF, options.logger);
  attachProtocolFallback(client, options.logger);
  client.on('connect', (connack) =>
    options.logger.info(
      {
        url: options.url,
        clientId: options.clientId,
        protocolVersion: client.options.protocolVersion,
        sessionPresent: connack.sessionPresent,
      },
      'connected to MQTT broker',
    ),
  );
  client.on('error', (error) => options.logger.warn({ err: error }, 'MQTT client error'));
  client.on('offline', () => options.logger.warn({ url: options.url }, 'MQTT broker offline'));
  return client;
}

/** Whether a connect error is the broker refusing the protocol version we asked for. */
export function isUnsupportedProtocolRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && UNSUPPORTED_PROTOCOL_CODES.includes(code);
}

/**
 * On a v5 refusal, switches the client to 3.1.1 before mqtt.js schedules its reconnect (the
 * `error` event fires first, then the reconnect is armed): the next CONNECT is a 3.1.1 one.
 */
export function attachProtocolFallback(client: MqttClient, logger: MessagingLogger): void {
  client.on('error', (error) => {
    if (client.options.protocolVersion !== 5 || !isUnsupportedProtocolRefusal(error)) return;
    client.options.protocolVersion = 4;
    // Connect properties are MQTT 5 only; a 3.1.1 session lives until the broker expires it.
    client.options.properties = undefined;
    logger.warn(
      { clientId: client.options.clientId, err: error },
      'MQTT broker refused MQTT 5; falling back to 3.1.1',
    );
  });
}

/**
 * Talks to the broker: a QoS 1 publish to a per-client health topic that nobody
 * subscribes to, answered by the broker's PUBACK. A disconnected client fails at once
 * rather than queueing the probe.
 */
export async function checkMqtt(client: MqttClient, url: string): Promise<void> {
  if (!client.connected) throw new Error(`not connected to ${url}`);
  await client.publishAsync(`streamline/health/${client.options.clientId ?? 'unknown'}`, '', {
    qos: 1,
    retain: false,
  });
}

/** How long endMqttSession waits for the clean-start connect that removes a session. */
const PURGE_TIMEOUT_MS = 5_000;

/**
 * Ends the client AND its persistent session: the broker forgets the session, its
 * subscriptions and whatever it still queued. MQTT 5 says so in the DISCONNECT (session expiry
 * 0); a 3.1.1 session (or one whose client is offline) is removed by a clean-start connect with
 * the same client id. Rejects if the broker could not be told.
 */
export async function endMqttSession(client: MqttClient): Promise<void> {
  const v5 = client.options.protocolVersion === 5;
  if (v5 && client.connected) {
    await client.endAsync(false, { properties: { sessionExpiryInterval: 0 } });
    return;
  }
  await client.endAsync();
  const { protocol, host, hostname, port, clientId, username, password } = client.options;
  const purge = mqtt.connect({
    protocol,
    host: hostname ?? host,
    port,
    clientId,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    protocolVersion: v5 ? 5 : 4,
    clean: true,
    ...(v5 ? { properties: { sessionExpiryInterval: 0 } } : {}),
    reconnectPeriod: 0,
    connectTimeout: PURGE_TIMEOUT_MS,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      purge.once('connect', () => resolve());
      purge.once('error', reject);
      purge.once('close', () => reject(new Error('MQTT broker closed the purge connection')));
    });
  } finally {
    await purge.endAsync();
  }
}

function v5Properties(options: MqttConnectionOptions): IClientOptions['properties'] {
  return {
    sessionExpiryInterval: options.sessionExpirySeconds ?? MQTT_DEFAULTS.sessionExpirySeconds,
    receiveMaximum: options.receiveMaximum ?? MQTT_DEFAULTS.receiveMaximum,
  };
}
