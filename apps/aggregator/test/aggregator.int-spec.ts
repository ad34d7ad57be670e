import { CLOSED_PORT, describePlatformEndpoints } from '@streamline/testing';
import { aggregatorService } from '../src/aggregator.service';

describePlatformEndpoints(aggregatorService, {
  dependencies: ['kafka', 'nats'],
  unreachable: {
    dependency: 'nats',
    env: (env) => ({ ...env, NATS_URL: 'nats://127.0.0.1:' + CLOSED_PORT }),
  },
});
