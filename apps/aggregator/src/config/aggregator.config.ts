import { z } from 'zod';
import {
  CONSUMER_GROUPS,
  STREAMS,
  SUBJECTS,
  TOPICS,
  thresholdsSchema,
} from '@streamline/contracts';
import {
  baseConfigSchema,
  kafkaConfigSchema,
  msVar,
  natsConfigSchema,
  portVar,
} from '@streamline/platform';

const topicVar = (name: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name ([A-Za-z0-9._-])')
    .default(name);
const countVar = (defaultCount: number) => z.coerce.number().int().positive().default(defaultCount);

/** `{ <metric>: { min?, max? } }` as JSON text: the thresholds of devices without their own. */
const thresholdsVar = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(thresholdsSchema);

/** aggregator's environment: the base settings, its port, the brokers, and the windowing. */
export const aggregatorConfigSchema = baseConfigSchema
  .extend({
    PORT: portVar(3003),
    ...kafkaConfigSchema.shape,
    ...natsConfigSchema.shape,
    // Topics and names: configurable so tests (and a second deployment) use their own.
    AGG_TELEMETRY_TOPIC: topicVar(TOPICS.TELEMETRY),
    AGG_ACTIVITY_TOPIC: topicVar(TOPICS.USER_ACTIVITY),
    AGG_DEVICES_TOPIC: topicVar(TOPICS.CDC_DEVICES),
    AGG_WINDOWS_1M_TOPIC: topicVar(TOPICS.TELEMETRY_1M),
    AGG_WINDOWS_5M_TOPIC: topicVar(TOPICS.TELEMETRY_5M),
    AGG_SESSIONS_TOPIC: topicVar(TOPICS.USER_SESSIONS),
    AGG_LATE_TOPIC: topicVar(TOPICS.TELEMETRY_LATE),
    AGG_CHANGELOG_TOPIC: topicVar(TOPICS.AGGREGATOR_CHANGELOG),
    AGG_GROUP_ID: z.string().min(1).default(CONSUMER_GROUPS.AGGREGATOR),
    /** Stable and the same on every instance: with topic and partition it names each producer. */
    AGG_TRANSACTIONAL_ID_PREFIX: z.string().min(1).default('aggregator'),
    AGG_ALERTS_STREAM: z.string().min(1).default(STREAMS.ALERTS),
    AGG_ALERTS_SUBJECT_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.$/, 'must be NATS tokens ending with "."')
      .default(SUBJECTS.ALERTS_PREFIX),
    // Windows, all in ms.
    AGG_TUMBLING_MS: msVar(60_000),
    AGG_HOPPING_MS: msVar(300_000),
    AGG_HOPPING_ADVANCE_MS: msVar(60_000),
    AGG_SESSION_GAP_MS: msVar(1_800_000),
    AGG_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
    /** Wall-clock time without records after which a partition's stream time follows the clock. */
    AGG_IDLE_MS: msVar(30_000),
    /** Readings further ahead of the wall clock than this are invalid (the ingestor's bound). */
    AGG_FUTURE_TOLERANCE_MS: msVar(300_000),
    /** `final`: a window is published once, when it closes; `update`: after every change too. */
    AGG_EMIT_MODE: z.enum(['final', 'update']).default('final'),
    // Transactions and throughput.
    AGG_MAX_RECORDS_PER_TRANSACTION: countVar(5_000),
    /** The longest a fetch waits to fill: with the record limit it bounds each transaction. */
    AGG_COMMIT_INTERVAL_MS: msVar(100),
    AGG_PUNCTUATE_INTERVAL_MS: msVar(1_000),
    AGG_PARTITIONS_CONCURRENTLY: countVar(3),
    AGG_SESSION_TIMEOUT_MS: msVar(30_000),
    AGG_RESTORE_TIMEOUT_MS: msVar(120_000),
    // Alerts and queries.
    AGG_DEFAULT_THRESHOLDS: thresholdsVar,
    /** Closed windows kept per device for GET /windows/:deviceId. */
    AGG_CLOSED_HISTORY: countVar(10),
  })
  .superRefine((c, ctx) => {
    if (c.AGG_HOPPING_MS % c.AGG_HOPPING_ADVANCE_MS !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['AGG_HOPPING_MS'],
        message: `must be a multiple of AGG_HOPPING_ADVANCE_MS (${c.AGG_HOPPING_ADVANCE_MS})`,
      });
    }
  });

export type AggregatorConfig = z.output<typeof aggregatorConfigSchema>;
