import { CLOSED_PORT, describePlatformEndpoints, uniqueName } from '@streamline/testing';
import { iotIngestorService } from '../src/iot-ingestor.service';

describePlatformEndpoints(iotIngestorService, {
  dependencies: ['kafka', 'nats', 'mqtt'],
  environment: async () => ({ env: { MQTT_CLIENT_ID: uniqueName('iot-ingestor-test') } }),
  unreachable: {
    dependency: 'mqtt',
    env: (env) => ({
      ...env,
      MQTT_URL: 'mqtt://127.0.0.1:' + CLOSED_PORT,
      MQTT_CLIENT_ID: uniqueName('iot-ingestor-broken'),
    }),
  },
});
