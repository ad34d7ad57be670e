import {
  CONSUMER_GROUPS,
  JETSTREAM_CONSUMERS,
  JETSTREAM_CONSUMER_SETTINGS,
  STREAMS,
  SUBJECTS,
} from '@streamline/contracts';
import {
  baseConfigSchema,
  databaseConfigSchema,
  kafkaConfigSchema,
  msVar,
  natsConfigSchema,
  portVar,
} from '@streamline/platform';
import { z } from 'zod';
import { retryPoliciesVar } from '../retries/retry-policies';

/** A regular expression given as text; a bad one names the variable at start. */
const regexVar = (defaultSource: string) =>
  z
    .string()
    .default(defaultSource)
    .transform((source, ctx) => {
      try {
        return new RegExp(source);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not a regular expression: ${String(error)}` });
        return z.NEVER;
      }
    });

const natsToken = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, { message: 'must be a NATS name' });
const positiveInt = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** dlq-handler's environment: brokers, topic patterns, retry policies, replay settings. */
export const dlqHandlerConfigSchema = baseConfigSchema.extend({
  PORT: portVar(3004),
  ...kafkaConfigSchema.shape,
  ...natsConfigSchema.shape,
  ...databaseConfigSchema.shape,
  /** `.retry` topics the forwarder serves (tests narrow it to their own topics). */
  RETRY_TOPIC_PATTERN: regexVar('^.+\\.retry$'),
  /** `.dlq` topics stored in `dlq.dead_letters`. */
  DLQ_TOPIC_PATTERN: regexVar('^.+\\.dlq$'),
  /** How often the topic list is checked for new `.retry`/`.dlq` topics. */
  TOPIC_REFRESH_MS: msVar(30_000),
  RETRY_FORWARDER_GROUP: z.string().min(1).default(CONSUMER_GROUPS.RETRY_FORWARDER),
  DLQ_STORE_GROUP: z.string().min(1).default(CONSUMER_GROUPS.DLQ_HANDLER),
  /** JSON: `{"<origin topic>|*": {"maxAttempts", "initialMs", "maxMs", "multiplier", "jitter"}}`. */
  RETRY_POLICIES: retryPoliciesVar,
  /** Dead letters per INSERT. */
  DLQ_STORE_BATCH: positiveInt(500, 2_000),
  /** A record replayed this many times is refused (the loop guard). */
  DLQ_MAX_REPLAYS: positiveInt(3, 1_000),
  DLQ_REPLAY_STREAM: natsToken.default(STREAMS.DLQ_REPLAY),
  DLQ_REPLAY_SUBJECT: z.string().min(1).default(SUBJECTS.DLQ_REPLAY_COMMANDS),
  DLQ_REPLAY_CONSUMER: natsToken.default(JETSTREAM_CONSUMERS.DLQ_HANDLER_REPLAY),
  /** How long a replay command may go without a heartbeat before another instance takes it. */
  DLQ_REPLAY_ACK_WAIT_MS: msVar(JETSTREAM_CONSUMER_SETTINGS.DLQ_HANDLER_REPLAY.ack_wait / 1e6),
  /** Bulk replays one instance runs at once. */
  DLQ_REPLAY_CONCURRENCY: positiveInt(2, 16),
  /** Dead letters a bulk replay sends per step (one Kafka batch, one checkpoint). */
  DLQ_REPLAY_CHUNK: positiveInt(200, 5_000),
  /** Pause between steps of a bulk replay, so a large redrive does not swamp the consumers. */
  DLQ_REPLAY_PAUSE_MS: z.coerce.number().int().min(0).max(60_000).default(0),
});

export type DlqHandlerConfig = z.output<typeof dlqHandlerConfigSchema>;
