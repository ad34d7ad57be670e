import { z } from 'zod';
import {
  baseConfigSchema,
  kafkaConfigSchema,
  natsConfigSchema,
  portVar,
} from '@streamline/platform';

/** aggregator's environment: the base settings, its port and the brokers it really uses. */
export const aggregatorConfigSchema = baseConfigSchema.extend({
  PORT: portVar(3003),
  ...kafkaConfigSchema.shape,
  ...natsConfigSchema.shape,
});

export type AggregatorConfig = z.output<typeof aggregatorConfigSchema>;
