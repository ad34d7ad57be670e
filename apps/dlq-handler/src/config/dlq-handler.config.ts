import { z } from 'zod';
import {
  baseConfigSchema,
  databaseConfigSchema,
  kafkaConfigSchema,
  natsConfigSchema,
  portVar,
} from '@streamline/platform';

/** dlq-handler's environment: the base settings, its port and the brokers it really uses. */
export const dlqHandlerConfigSchema = baseConfigSchema.extend({
  PORT: portVar(3004),
  ...kafkaConfigSchema.shape,
  ...natsConfigSchema.shape,
  ...databaseConfigSchema.shape,
});

export type DlqHandlerConfig = z.output<typeof dlqHandlerConfigSchema>;
