import { CLOSED_PORT, describePlatformEndpoints } from '@streamline/testing';
import { aggregatorService } from '../src/aggregator.service';
import {
  createSuiteTopics,
  removeSuiteState,
  suiteEnv,
  suiteNames,
  testKafka,
} from './support/aggregator-test-kit';

describePlatformEndpoints(aggregatorService, {
  dependencies: ['kafka', 'nats'],
  // Its own topics, group and alert stream: never the production names.
  environment: async () => {
    const names = suiteNames('platform');
    const admin = testKafka('agg-platform-it').admin();
    await admin.connect();
    const topics = await createSuiteTopics(admin, names);
    return {
      env: suiteEnv(names),
      cleanup: async () => {
        await admin.deleteTopics({ topics }).catch(() => undefined);
        await removeSuiteState(admin, names);
        await admin.disconnect();
      },
    };
  },
  unreachable: {
    dependency: 'nats',
    env: (env) => ({ ...env, NATS_URL: 'nats://127.0.0.1:' + CLOSED_PORT }),
  },
});
