import { defineService } from '@streamline/nest-messaging';
import { dlqHandlerConfigSchema } from './config/dlq-handler.config';
import { MIGRATIONS } from './migrations';

/** dlq-handler, declared once: used by main.ts and by the tests that boot it. */
export const dlqHandlerService = defineService({
  name: 'dlq-handler',
  description: 'Retry topics, dead-letter inspection and replay.',
  configSchema: dlqHandlerConfigSchema,
  kafka: true,
  nats: true,
  database: { schema: 'dlq', entities: [], migrations: MIGRATIONS },
  modules: [],
});
