import { hostname } from 'node:os';
import { z } from 'zod';
import {
  KV_BUCKETS,
  MQTT_TOPICS,
  TOPICS,
  dlqTopicOf,
  isDlqTopic,
  isRetryTopic,
} from '@streamline/contracts';
import { isValidTopicFilter, stripSharePrefix } from '@streamline/messaging';
import {
  baseConfigSchema,
  kafkaConfigSchema,
  msVar,
  mqttConfigSchema,
  natsConfigSchema,
  portVar,
} from '@streamline/platform';

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const BUCKET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A subscription filter whose single `+` level names the device, e.g. `sensors/+/telemetry`. */
const deviceFilterVar = (defaultFilter: string) =>
  z
    .string()
    .default(defaultFilter)
    .refine(isValidTopicFilter, { message: 'must be a valid MQTT topic filter' })
    .refine(
      (filter) =>
        stripSharePrefix(filter)
          .split('/')
          .filter((l) => l === '+').length === 1,
      {
        message: 'must have exactly one "+" level: the device id',
      },
    )
    .refine((filter) => !stripSharePrefix(filter).includes('#'), {
      message: 'must not use "#": the device level must be found by position',
    });

const topicVar = (defaultTopic: string) =>
  z.string().regex(TOPIC_NAME, { message: 'must be a Kafka topic name' }).default(defaultTopic);

const intVar = (min: number, max: number, defaultValue: number) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue);

/** iot-ingestor's environment: the base settings, its port, its brokers and its ingest limits. */
export const iotIngestorConfigSchema = baseConfigSchema
  .extend({
    PORT: portVar(3001),
    ...kafkaConfigSchema.shape,
    ...natsConfigSchema.shape,
    ...mqttConfigSchema.shape,
    /** Stable per instance so the broker keeps this instance's persistent session. */
    MQTT_CLIENT_ID: z.string().min(1).max(120).default(`iot-ingestor-${hostname()}`),
    /** Shared subscription of the telemetry; tests point it at a topic space of their own. */
    MQTT_TELEMETRY_FILTER: deviceFilterVar(MQTT_TOPICS.TELEMETRY_SHARED),
    /** Birth messages and Last Wills; not shared, so every instance sees the retained ones. */
    MQTT_STATUS_FILTER: deviceFilterVar(MQTT_TOPICS.STATUS),
    /** Unacknowledged messages the broker may push per session: the in-flight (memory) bound. */
    MQTT_RECEIVE_MAXIMUM: intVar(1, 65_535, 256),
    /** How long the broker keeps a session (and queues its share) while the instance is away. */
    MQTT_SESSION_EXPIRY_SECONDS: intVar(60, 4_294_967_295, 86_400),
    /**
     * On a graceful stop (SIGTERM): `true` leaves the shared subscription for good (unsubscribe,
     * drain what the broker still queues, end the session) so nothing is stranded; `false` keeps
     * the session so a restart of a lone instance resumes it (README: leaving the share).
     */
    MQTT_LEAVE_SHARE_ON_STOP: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    TELEMETRY_TOPIC: topicVar(TOPICS.TELEMETRY).refine((t) => !isDlqTopic(t) && !isRetryTopic(t), {
      message: 'must be an origin topic, not a .dlq or .retry topic',
    }),
    /** Default: `<TELEMETRY_TOPIC>.dlq`. */
    TELEMETRY_DLQ_TOPIC: z
      .string()
      .regex(TOPIC_NAME, { message: 'must be a Kafka topic name' })
      .optional(),
    /** Larger MQTT payloads are dead-lettered whole, unread. */
    TELEMETRY_MAX_PAYLOAD_BYTES: intVar(1_024, 16 * 1024 * 1024, 256 * 1024),
    /** A reading whose `ts` is further ahead of the ingestor's clock is invalid. */
    TELEMETRY_MAX_FUTURE_MS: msVar(5 * 60_000),
    /** Dead-letter values above this are cut (Kafka refuses records above max.message.bytes). */
    DLQ_MAX_VALUE_BYTES: intVar(1_024, 1_000_000, 900 * 1024),
    PRESENCE_BUCKET: z
      .string()
      .regex(BUCKET_NAME, { message: 'must be a NATS KV bucket name' })
      .default(KV_BUCKETS.DEVICE_PRESENCE),
    /** Telemetry refreshes a device's `lastSeen` at most once per this interval. */
    PRESENCE_REFRESH_MS: msVar(1_000),
    /**
     * `spool` (default): a reading is acknowledged to MQTT once it is fsync'd in the local spool,
     * which drains to Kafka; `direct`: once Kafka acknowledged it (README: modes).
     */
    INGEST_MODE: z
      .enum(['spool', 'direct'], { message: 'must be spool or direct' })
      .default('spool'),
    /** The spool of an instance lives in `<SPOOL_DIR>/<MQTT_CLIENT_ID>`. */
    SPOOL_DIR: z.string().min(1).default('./tmp/data/iot-ingestor/spool'),
    /** Bytes the spool may hold; when full the ingestor stops acknowledging MQTT (drops nothing). */
    SPOOL_MAX_BYTES: intVar(1_048_576, Number.MAX_SAFE_INTEGER, 512 * 1024 * 1024),
    /** Readings (and dead letters) the spool may hold. */
    SPOOL_MAX_READINGS: intVar(1, 100_000_000, 1_000_000),
    /** How long a reading waits for companions before its Kafka batch is sent. */
    KAFKA_LINGER_MS: intVar(0, 1_000, 5),
    /** `none` by default: on small readings gzip costs more CPU and latency than it saves (README). */
    KAFKA_COMPRESSION: z.enum(['gzip', 'none']).default('none'),
    /** Bound of one produce attempt; a failed attempt is retried (the MQTT ack is held). */
    KAFKA_DELIVERY_TIMEOUT_MS: msVar(10_000),
  })
  .transform((config) => ({
    ...config,
    TELEMETRY_DLQ_TOPIC: config.TELEMETRY_DLQ_TOPIC ?? dlqTopicOf(config.TELEMETRY_TOPIC),
  }))
  .superRefine((config, ctx) => {
    if (config.TELEMETRY_DLQ_TOPIC === config.TELEMETRY_TOPIC) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEMETRY_DLQ_TOPIC'],
        message: 'the telemetry topic and its dead-letter topic must be two different topics',
      });
    }
  });

export type IotIngestorConfig = z.output<typeof iotIngestorConfigSchema>;
