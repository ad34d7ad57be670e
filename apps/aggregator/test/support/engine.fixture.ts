// A child process running the aggregator's pipeline from its environment, for kill -9 tests.
import { createKafka } from '@streamline/messaging';
import { aggregatorConfigSchema } from '../../src/config/aggregator.config';
import { engineFromConfig } from '../../src/pipeline/engine-from-config';

const log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (fields: object, message?: string) =>
    process.stderr.write(`ERROR ${message} ${JSON.stringify(fields)}\n`),
};

async function main(): Promise<void> {
  const config = aggregatorConfigSchema.parse(process.env);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'agg-fixture',
    logger: log,
  });
  const engine = engineFromConfig('aggregator', kafka, config, log);
  await engine.start();
  process.stdout.write('STARTED\n');
  process.on('SIGTERM', () => void engine.stop().then(() => process.exit(0)));
}

void main();
