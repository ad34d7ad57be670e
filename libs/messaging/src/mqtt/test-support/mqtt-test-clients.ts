import { connectAsync, type MqttClient } from 'mqtt';
import { silentLogger, type MessagingLogger } from '../../logging/messaging-logger';
import { createMqttClient } from '../mqtt-connection';
import { MqttSubscriber, type MqttSubscriberOptions } from '../mqtt-subscriber';

/** A subscriber on a persistent session, wired the way services wire it (handlers before connect). */
export interface TestSubscriber {
  client: MqttClient;
  subscriber: MqttSubscriber;
  /** Connects, starts the subscriber and waits for the first CONNACK. */
  run(): Promise<void>;
  close(): Promise<void>;
}

/** Creates a not-yet-connected client + subscriber; add handlers, then `run()`. */
export function testSubscriber(options: {
  url: string;
  clientId: string;
  protocolVersion?: 4 | 5;
  subscriber?: Partial<MqttSubscriberOptions>;
  logger?: MessagingLogger;
}): TestSubscriber {
  const logger = options.logger ?? silentLogger;
  const client = createMqttClient({
    url: options.url,
    clientId: options.clientId,
    logger,
    protocolVersion: options.protocolVersion ?? 5,
    sessionExpirySeconds: 300,
    backoff: { initialMs: 100, maxMs: 1_000 },
    client: { manualConnect: true },
  });
  const subscriber = new MqttSubscriber(client, {
    logger,
    retryBackoff: { initialMs: 100, maxMs: 1_000 },
    ...options.subscriber,
  });
  return {
    client,
    subscriber,
    run: async () => {
      const connected = new Promise<void>((resolve) => client.once('connect', () => resolve()));
      client.connect();
      await connected;
      await subscriber.start();
    },
    close: async () => {
      await subscriber.stop();
      await client.endAsync();
    },
  };
}

/** A plain publisher on a clean session. */
export async function testPublisher(url: string, clientId: string): Promise<MqttClient> {
  return connectAsync(url, { clientId, protocolVersion: 5, clean: true, reconnectPeriod: 0 });
}

/** Deletes a client id's persistent session (and whatever it still queues) at the broker. */
export async function purgeSession(url: string, clientId: string): Promise<void> {
  const client = await connectAsync(url, {
    clientId,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 0,
    properties: { sessionExpiryInterval: 0 },
  });
  await client.endAsync();
}
