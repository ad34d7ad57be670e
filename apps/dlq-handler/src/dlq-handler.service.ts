import { defineService } from '@streamline/nest-messaging';
import { DLQ_ERROR_STATUSES } from './common/dlq-errors';
import { dlqHandlerConfigSchema } from './config/dlq-handler.config';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { MIGRATIONS } from './migrations';
import { replayJetStream } from './replay/replay-jetstream';
import { RetriesModule } from './retries/retries.module';
import { SERVICE_NAME } from './retries/retry-forwarding.service';

/** dlq-handler, declared once: used by main.ts and by the tests that boot it. */
export const dlqHandlerService = defineService({
  name: SERVICE_NAME,
  description:
    'Retries for every service (`<topic>.retry`), the dead-letter store (`dlq.dead_letters`), inspection, correction and replay.',
  configSchema: dlqHandlerConfigSchema,
  http: { errorStatuses: DLQ_ERROR_STATUSES },
  kafka: true,
  // Replays wait for the acknowledgement of every record: no linger to gain, nothing to compress.
  producer: { lingerMs: 0, compression: 'none', deliveryTimeoutMs: 30_000 },
  nats: (config) => ({ jetstream: replayJetStream(config) }),
  database: { schema: 'dlq', entities: [], migrations: MIGRATIONS },
  modules: [RetriesModule, DeadLettersModule],
});
