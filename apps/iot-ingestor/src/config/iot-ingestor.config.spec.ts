import { loadConfig } from '@streamline/platform';
import { describeDeploymentConfig } from '@streamline/testing';
import { iotIngestorService } from '../iot-ingestor.service';
import { iotIngestorConfigSchema } from './iot-ingestor.config';

describeDeploymentConfig(iotIngestorService, { port: 3001 });

describe('iot-ingestor configuration', () => {
  it('defaults to the ARCHITECTURE names', () => {
    const config = loadConfig(iotIngestorConfigSchema, {});
    expect(config).toMatchObject({
      MQTT_TELEMETRY_FILTER: '$share/iot-ingestor/sensors/+/telemetry',
      MQTT_STATUS_FILTER: 'sensors/+/status',
      TELEMETRY_TOPIC: 'iot.telemetry.v1',
      TELEMETRY_DLQ_TOPIC: 'iot.telemetry.v1.dlq',
      PRESENCE_BUCKET: 'device-presence',
    });
  });

  it('derives the dead-letter topic from a configured telemetry topic', () => {
    const config = loadConfig(iotIngestorConfigSchema, {
      TELEMETRY_TOPIC: 'it-1.iot.telemetry.v1',
    });
    expect(config.TELEMETRY_DLQ_TOPIC).toBe('it-1.iot.telemetry.v1.dlq');
  });

  it.each([
    ['MQTT_TELEMETRY_FILTER', 'sensors/#'],
    ['MQTT_TELEMETRY_FILTER', 'sensors/+/+/telemetry'],
    ['MQTT_STATUS_FILTER', 'sensors/x/status'],
    ['TELEMETRY_TOPIC', 'iot.telemetry.v1.dlq'],
    ['TELEMETRY_DLQ_TOPIC', 'iot.telemetry.v1'],
    ['MQTT_RECEIVE_MAXIMUM', '0'],
    ['PRESENCE_BUCKET', 'a.b'],
    ['DLQ_MAX_VALUE_BYTES', '2000000'],
  ])('refuses a bad %s (%s), naming the variable', (variable, value) => {
    expect(() => loadConfig(iotIngestorConfigSchema, { [variable]: value })).toThrow(
      new RegExp(`${variable}: `),
    );
  });
});
