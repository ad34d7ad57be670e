/**
 * A child process for the kill -9 test: runs an ExactlyOnceProcessor whose transform doubles
 * `n` and keeps the key. Before each commit it prints `BEFORE_COMMIT <partition> <next>` and
 * waits SLOW_MS, so the parent can SIGKILL it while a transaction is open. SIGTERM stops it.
 * Run from the repository root: TSX_TSCONFIG_PATH=tsconfig.base.json node --import tsx <this file>
 * (node itself, so that a SIGKILL reaches the processor and not only the tsx CLI).
 */
import { createKafka } from '../../kafka-client';
import { silentLogger } from '../../../logging/messaging-logger';
import { ExactlyOnceProcessor } from '../exactly-once-processor';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

const slowMs = Number(process.env['SLOW_MS'] ?? '0');
const output = env('OUTPUT_TOPIC');
const kafka = createKafka({
  brokers: env('KAFKA_BROKERS').split(','),
  clientId: 'eos-fixture',
  logger: silentLogger,
});

const processor = new ExactlyOnceProcessor({
  kafka,
  groupId: env('GROUP_ID'),
  inputTopics: [env('INPUT_TOPIC')],
  transactionalIdPrefix: env('TRANSACTIONAL_ID_PREFIX'),
  maxRecordsPerTransaction: Number(env('MAX_PER_TRANSACTION')),
  sessionTimeoutMs: 6_000,
  rebalanceTimeoutMs: 10_000,
  heartbeatIntervalMs: 1_000,
  failureBackoffMs: 200,
  transform: async (records) =>
    records.map((record) => {
      const { n } = JSON.parse(record.value?.toString() ?? '{}') as { n: number };
      return { topic: output, key: record.key, value: JSON.stringify({ n, doubled: n * 2 }) };
    }),
  beforeCommit: async (context) => {
    process.stdout.write(`BEFORE_COMMIT ${context.partition} ${context.nextOffset}\n`);
    if (slowMs > 0) await new Promise((resolve) => setTimeout(resolve, slowMs));
  },
  logger: {
    ...silentLogger,
    error: (obj, msg) => process.stderr.write(`${msg ?? ''} ${JSON.stringify(obj)}\n`),
  },
});

process.on('SIGTERM', () => {
  void processor.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

processor.start().then(
  () => process.stdout.write('STARTED\n'),
  (error: unknown) => {
    process.stderr.write(`start failed: ${String(error)}\n`);
    process.exit(1);
  },
);
