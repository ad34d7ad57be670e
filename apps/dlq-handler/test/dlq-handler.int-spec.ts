import { CLOSED_PORT, createTestDatabase, describePlatformEndpoints } from '@streamline/testing';
import { dlqHandlerService } from '../src/dlq-handler.service';

describePlatformEndpoints(dlqHandlerService, {
  dependencies: ['kafka', 'nats', 'postgres'],
  environment: async () => {
    const database = await createTestDatabase();
    return { env: { DATABASE_URL: database.url }, cleanup: () => database.drop() };
  },
  unreachable: {
    dependency: 'kafka',
    env: (env) => ({ ...env, KAFKA_BROKERS: '127.0.0.1:' + CLOSED_PORT }),
  },
  ownsSchema: 'dlq',
});
