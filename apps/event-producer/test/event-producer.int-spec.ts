import { CLOSED_PORT, createTestDatabase, describePlatformEndpoints } from '@streamline/testing';
import { eventProducerService } from '../src/event-producer.service';

describePlatformEndpoints(eventProducerService, {
  dependencies: ['kafka', 'postgres'],
  environment: async () => {
    const database = await createTestDatabase();
    return { env: { DATABASE_URL: database.url }, cleanup: () => database.drop() };
  },
  unreachable: {
    dependency: 'kafka',
    env: (env) => ({ ...env, KAFKA_BROKERS: '127.0.0.1:' + CLOSED_PORT }),
  },
  ownsSchema: 'registry',
});
