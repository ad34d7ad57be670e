import { defineService } from '@streamline/nest-messaging';
import { alertsJetStream } from './alerts/alerts-sink.service';
import { AlertsModule } from './alerts/alerts.module';
import { cdcSinkConfigSchema } from './config/cdc-sink.config';
import { MIGRATIONS } from './migrations';
import { SinkModule } from './sink/sink.module';

/** cdc-sink, declared once: used by main.ts and by the tests that boot it. */
export const cdcSinkService = defineService({
  name: 'cdc-sink',
  description: 'Change events and aggregates into Postgres with exactly-once effect.',
  configSchema: cdcSinkConfigSchema,
  kafka: true,
  nats: (config) => ({ jetstream: alertsJetStream(config) }),
  database: { schema: 'analytics', entities: [], migrations: MIGRATIONS },
  modules: (config) => [SinkModule.register(config), AlertsModule],
});
