// A subscriber whose handler never resolves: the int spec kill -9's it mid-message.
// Usage: tsx hanging-subscriber.fixture.ts <url> <clientId> <filter>
// Prints one JSON line per event on stdout: {"event":"ready"}, {"event":"received",...}.
import { silentLogger } from '../../logging/messaging-logger';
import { createMqttClient } from '../mqtt-connection';
import { MqttSubscriber } from '../mqtt-subscriber';

const [url, clientId, filter] = process.argv.slice(2);
if (!url || !clientId || !filter) throw new Error('usage: <url> <clientId> <filter>');

const emit = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const client = createMqttClient({
  url,
  clientId,
  logger: silentLogger,
  sessionExpirySeconds: 300,
  client: { manualConnect: true },
});
const subscriber = new MqttSubscriber(client, { logger: silentLogger });
subscriber.add({
  filter,
  qos: 1,
  handler: (message) => {
    emit({
      event: 'received',
      topic: message.topic,
      payload: message.payload.toString(),
      dup: message.dup,
    });
    return new Promise<void>(() => undefined);
  },
});
client.once('connect', () => {
  void subscriber.start().then(() => emit({ event: 'ready' }));
});
client.connect();
