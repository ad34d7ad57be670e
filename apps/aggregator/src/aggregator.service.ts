import { STREAM_SETTINGS } from '@streamline/contracts';
import { connectNatsRpc, defineService } from '@streamline/nest-messaging';
import { aggregatorConfigSchema } from './config/aggregator.config';
import { AggregatorModule } from './pipeline/aggregator.module';
import { SERVICE_NAME } from './pipeline/aggregator-pipeline.service';

/** aggregator, declared once: used by main.ts and by the tests that boot it. */
export const aggregatorService = defineService({
  name: SERVICE_NAME,
  description:
    'Event-time windows with watermarks over telemetry and user activity, exactly-once into Kafka; alerts to JetStream.',
  configSchema: aggregatorConfigSchema,
  kafka: true,
  // The ALERTS stream from the contracts; name and subjects configurable so tests use their own.
  nats: (config) => ({
    jetstream: {
      streams: [
        {
          ...STREAM_SETTINGS.ALERTS,
          name: config.AGG_ALERTS_STREAM,
          subjects: [`${config.AGG_ALERTS_SUBJECT_PREFIX}>`],
        },
      ],
    },
  }),
  modules: [AggregatorModule],
  // Queries over NATS request-reply; the pipeline does not wait for NATS to start.
  connect: (app, config) =>
    connectNatsRpc(app, { url: config.NATS_URL, queue: SERVICE_NAME, blockUntilConnected: false }),
});
