import { hostname } from 'node:os';
import { z } from 'zod';
import {
  baseConfigSchema,
  kafkaConfigSchema,
  mqttConfigSchema,
  natsConfigSchema,
  portVar,
} from '@streamline/platform';

/** iot-ingestor's environment: the base settings, its port and the brokers it really uses. */
export const iotIngestorConfigSchema = baseConfigSchema.extend({
  PORT: portVar(3001),
  ...kafkaConfigSchema.shape,
  ...natsConfigSchema.shape,
  ...mqttConfigSchema.shape,
  /** Stable per instance so the broker keeps this instance's persistent session. */
  MQTT_CLIENT_ID: z.string().min(1).max(128).default(`iot-ingestor-${hostname()}`),
});

export type IotIngestorConfig = z.output<typeof iotIngestorConfigSchema>;
