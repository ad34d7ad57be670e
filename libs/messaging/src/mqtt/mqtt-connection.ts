import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MessagingLogger } from '../logging/messaging-logger';

export interface MqttConnectionOptions {
  url: string;
  /** Stable per instance, so the broker keeps the persistent session across restarts. */
  clientId: string;
  logger: MessagingLogger;
  /** Extra mqtt.js options (will, credentials, manual acks…). */
  client?: Partial<IClientOptions>;
}

/**
 * An MQTT 5 client on a persistent session (`clean: false`) that reconnects with
 * backoff; created disconnected-tolerant so the service starts while the broker is down.
 */
export function createMqttClient(options: MqttConnectionOptions): MqttClient {
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: 3_600 },
    reconnectPeriod: 1_000,
    connectTimeout: 5_000,
    keepalive: 30,
    ...options.client,
  });
  client.on('connect', () => options.logger.info({ url: options.url }, 'connected to MQTT broker'));
  client.on('error', (error) => options.logger.warn({ err: error }, 'MQTT client error'));
  client.on('offline', () => options.logger.warn({ url: options.url }, 'MQTT broker offline'));
  return client;
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
