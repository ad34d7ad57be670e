import { CLOSED_PORT, createTestDatabase, describePlatformEndpoints } from '@streamline/testing';
import { cdcSinkService } from '../src/cdc-sink.service';

describePlatformEndpoints(cdcSinkService, {
  dependencies: ['kafka', 'nats', 'postgres'],
  environment: async () => {
    const database = await createTestDatabase();
    return { env: { DATABASE_URL: database.url }, cleanup: () => database.drop() };
  },
  unreachable: {
    dependency: 'postgres',
    env: (env) => ({
      ...env,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:' + CLOSED_PORT + '/streamline',
    }),
  },
  ownsSchema: 'analytics',
});
