import { z } from 'zod';
import {
  baseConfigSchema,
  databaseConfigSchema,
  kafkaConfigSchema,
  natsConfigSchema,
  portVar,
} from '@streamline/platform';

/** cdc-sink's environment: the base settings, its port and the brokers it really uses. */
export const cdcSinkConfigSchema = baseConfigSchema.extend({
  PORT: portVar(3005),
  ...kafkaConfigSchema.shape,
  ...natsConfigSchema.shape,
  ...databaseConfigSchema.shape,
});

export type CdcSinkConfig = z.output<typeof cdcSinkConfigSchema>;
