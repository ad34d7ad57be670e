import { createTestDatabase, TEST_ENV, uniqueName, type TestDatabase } from '@streamline/testing';
import { connect } from 'nats';

/** Names of one test run: its topics share `prefix`, so the service serves only those. */
export interface DlqTestEnv {
  prefix: string;
  database: TestDatabase;
  env: Record<string, string>;
  stream: string;
  cleanup(): Promise<void>;
}

/**
 * A unique database, topic prefix, consumer groups and JetStream names for a dlq-handler under
 * test: never the production names, so a test neither steals nor forwards another's records.
 */
export async function dlqTestEnv(overrides: Record<string, string> = {}): Promise<DlqTestEnv> {
  const prefix = uniqueName('itdlq').replace(/-/g, '_');
  const database = await createTestDatabase('dlq_test');
  const stream = `${prefix}_REPLAY`;
  const env = {
    DATABASE_URL: database.url,
    RETRY_TOPIC_PATTERN: `^${prefix}\\..+\\.retry$`,
    DLQ_TOPIC_PATTERN: `^${prefix}\\..+\\.dlq$`,
    RETRY_FORWARDER_GROUP: `${prefix}.forwarder`,
    DLQ_STORE_GROUP: `${prefix}.store`,
    DLQ_REPLAY_STREAM: stream,
    DLQ_REPLAY_SUBJECT: `${prefix}.replay.commands`,
    DLQ_REPLAY_CONSUMER: `${prefix}_worker`,
    TOPIC_REFRESH_MS: '1000',
    ...overrides,
  };
  const cleanup = async () => {
    await database.drop();
    const nc = await connect({ servers: TEST_ENV.natsUrl });
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(stream).catch(() => false);
    } finally {
      await nc.close();
    }
  };
  return { prefix, database, env, stream, cleanup };
}
