import { z } from 'zod';
import {
  baseConfigSchema,
  databaseConfigSchema,
  kafkaConfigSchema,
  portVar,
} from '@streamline/platform';

/** event-producer's environment: the base settings, its port and the brokers it really uses. */
export const eventProducerConfigSchema = baseConfigSchema.extend({
  PORT: portVar(3002),
  ...kafkaConfigSchema.shape,
  ...databaseConfigSchema.shape,
});

export type EventProducerConfig = z.output<typeof eventProducerConfigSchema>;
