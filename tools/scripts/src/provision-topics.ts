/**
 * Creates every topic the contracts library declares (TOPIC_SETTINGS), idempotently.
 * Run by `npm run infra:up`; usable on its own: `tsx --tsconfig tsconfig.base.json tools/scripts/src/provision-topics.ts`.
 */
import { TOPIC_SETTINGS } from '@streamline/contracts';
import { createKafka, ensureTopics, silentLogger } from '@streamline/messaging';

async function main(): Promise<void> {
  const brokers = (process.env['KAFKA_BROKERS'] ?? 'localhost:9092').split(',');
  const kafka = createKafka({
    brokers,
    clientId: 'streamline-provisioner',
    logger: silentLogger,
    retry: { retries: 3 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const result = await ensureTopics(admin, TOPIC_SETTINGS);
    console.log(
      `topics: ${result.created.length} created, ${result.existing.length} already present` +
        (result.grown.length > 0 ? `, partitions grown on ${result.grown.join(', ')}` : ''),
    );
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(
    `topic provisioning failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
