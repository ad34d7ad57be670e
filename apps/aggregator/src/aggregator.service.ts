import { defineService } from '@streamline/nest-messaging';
import { aggregatorConfigSchema } from './config/aggregator.config';

/** aggregator, declared once: used by main.ts and by the tests that boot it. */
export const aggregatorService = defineService({
  name: 'aggregator',
  description:
    'Event-time windows with watermarks over telemetry and user activity, exactly-once into Kafka; alerts to JetStream.',
  configSchema: aggregatorConfigSchema,
  kafka: true,
  nats: true,
  modules: [],
});
