import { defineService } from '@streamline/nest-messaging';
import { cdcSinkConfigSchema } from './config/cdc-sink.config';
import { MIGRATIONS } from './migrations';

/** cdc-sink, declared once: used by main.ts and by the tests that boot it. */
export const cdcSinkService = defineService({
  name: 'cdc-sink',
  description: 'Change events and aggregates into Postgres with exactly-once effect.',
  configSchema: cdcSinkConfigSchema,
  kafka: true,
  nats: true,
  database: { schema: 'analytics', entities: [], migrations: MIGRATIONS },
  modules: [],
});
