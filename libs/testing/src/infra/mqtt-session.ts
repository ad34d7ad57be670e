import { connectAsync } from 'mqtt';
import { TEST_ENV } from './test-env';

/**
 * Deletes a persistent MQTT session and whatever it still queues: a clean-start connect with
 * session expiry 0. A session left behind in a shared subscription group would take a share of
 * that group's messages for as long as the broker keeps it.
 */
export async function purgeMqttSession(clientId: string, url = TEST_ENV.mqttUrl): Promise<void> {
  const client = await connectAsync(url, {
    clientId,
    protocolVersion: 5,
    clean: true,
    properties: { sessionExpiryInterval: 0 },
  });
  await client.endAsync();
}
