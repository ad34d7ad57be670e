/**
 * A device in its own process, for the Last Will test: connects with a retained Will `offline`
 * on its status topic, announces `online` (retained), prints `ready` and idles until killed.
 * Run: node -r ts-node/register <this file> <mqttUrl> <clientId> <statusTopic>
 */
import { connectAsync } from 'mqtt';

async function main(): Promise<void> {
  const [url, clientId, statusTopic] = process.argv.slice(2);
  if (!url || !clientId || !statusTopic)
    throw new Error('usage: <mqttUrl> <clientId> <statusTopic>');
  const client = await connectAsync(url, {
    clientId,
    clean: true,
    keepalive: 5,
    will: { topic: statusTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
  });
  await client.publishAsync(statusTopic, 'online', { qos: 1, retain: true });
  process.stdout.write('ready\n');
  setInterval(() => undefined, 60_000);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
