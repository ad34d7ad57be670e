import {
  CONSUMER_GROUPS,
  JETSTREAM_CONSUMERS,
  STREAMS,
  SUBJECTS,
  TOPICS,
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

const name = (fallback: string) => z.string().trim().min(1).default(fallback);
const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * cdc-sink's environment: the base settings, its port, the brokers it uses and the names it
 * reads (defaults are the production names of libs/contracts; tests point them at their own).
 */
export const cdcSinkConfigSchema = baseConfigSchema.extend({
  PORT: portVar(3005),
  ...kafkaConfigSchema.shape,
  ...natsConfigSchema.shape,
  ...databaseConfigSchema.shape,
  CDC_SINK_GROUP_ID: name(CONSUMER_GROUPS.CDC_SINK),
  CDC_SINK_DEVICES_TOPIC: name(TOPICS.CDC_DEVICES),
  CDC_SINK_TELEMETRY_1M_TOPIC: name(TOPICS.TELEMETRY_1M),
  CDC_SINK_USER_SESSIONS_TOPIC: name(TOPICS.USER_SESSIONS),
  CDC_SINK_ALERTS_STREAM: name(STREAMS.ALERTS),
  CDC_SINK_ALERTS_SUBJECTS: name(SUBJECTS.ALERTS_ALL),
  /** A JetStream durable name: no '.', '*', '>' or whitespace. */
  CDC_SINK_ALERTS_CONSUMER: name(JETSTREAM_CONSUMERS.CDC_SINK_ALERTS).pipe(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only (a JetStream durable)'),
  ),
  /** Most records in one transaction. */
  CDC_SINK_BATCH_RECORDS: count(2_000),
  /** A fetch returns once this many bytes are ready... */
  CDC_SINK_BATCH_MIN_BYTES: count(65_536),
  /** ...or once this long has passed. */
  CDC_SINK_BATCH_DELAY_MS: msVar(100),
  /**
   * `off`: a batch's COMMIT does not wait for the WAL flush. Its rows and offsets commit together,
   * so a Postgres crash undoes both and the records are read again from Kafka: still exactly
   * once. Alerts (acknowledged to JetStream after their commit) always wait.
   */
  CDC_SINK_SYNCHRONOUS_COMMIT: z.enum(['on', 'off']).default('off'),
  /** How rows reach their table: a multi-row upsert from arrays, or COPY into a staging table and merge. */
  CDC_SINK_WRITE_MODE: z.enum(['unnest', 'copy']).default('copy'),
  /**
   * Test hook: `true` kills the process with SIGKILL right after the first transaction that
   * wrote rows committed, before Kafka's advisory commit (the kill -9 test). Never set in production.
   */
  CDC_SINK_CRASH_AFTER_DB_COMMIT: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type CdcSinkConfig = z.output<typeof cdcSinkConfigSchema>;
