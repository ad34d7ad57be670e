import { CLOSED_PORT, describePlatformEndpoints } from '@streamline/testing';
import { dlqHandlerService } from '../src/dlq-handler.service';
import { dlqTestEnv } from './support/dlq-test-env';

describePlatformEndpoints(dlqHandlerService, {
  dependencies: ['kafka', 'nats', 'postgres'],
  environment: async () => {
    const names = await dlqTestEnv();
    return { env: names.env, cleanup: () => names.cleanup() };
  },
  unreachable: {
    dependency: 'kafka',
    env: (env) => ({ ...env, KAFKA_BROKERS: '127.0.0.1:' + CLOSED_PORT }),
  },
  ownsSchema: 'dlq',
});
