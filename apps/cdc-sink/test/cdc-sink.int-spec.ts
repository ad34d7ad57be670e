import { CLOSED_PORT, describePlatformEndpoints } from '@streamline/testing';
import { cdcSinkService } from '../src/cdc-sink.service';
import { SinkTestEnv } from './support/sink-test-env';

describePlatformEndpoints(cdcSinkService, {
  dependencies: ['kafka', 'nats', 'postgres', 'sink'],
  environment: async () => {
    const names = await new SinkTestEnv().setUp();
    return { env: names.env(), cleanup: () => names.cleanup() };
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
