import { CLOSED_PORT, describePlatformEndpoints, uniqueName } from '@streamline/testing';
import { iotIngestorService } from '../src/iot-ingestor.service';
import { IngestTestSpace } from './support/ingest-test-names';

const space = new IngestTestSpace();

describePlatformEndpoints(iotIngestorService, {
  dependencies: ['kafka', 'nats', 'mqtt'],
  // Its own topic space, sessions and bucket: never a member of the real share group.
  environment: async () => ({ env: space.env(), cleanup: () => space.cleanup() }),
  unreachable: {
    dependency: 'mqtt',
    env: (env) => ({
      ...env,
      MQTT_URL: 'mqtt://127.0.0.1:' + CLOSED_PORT,
      MQTT_CLIENT_ID: uniqueName('iot-ingestor-broken'),
    }),
  },
});
