import { TOPICS } from '@streamline/contracts';
import {
  baseConfigSchema,
  databaseConfigSchema,
  kafkaConfigSchema,
  msVar,
  portVar,
} from '@streamline/platform';
import { z } from 'zod';
import { DEFAULT_PROXY_TOPICS, PROXY_KEY_FIELDS } from '../events/proxy-topics';

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/** A comma-separated list of topics the REST proxy may write; each needs a key rule and a contract. */
const proxyTopicsVar = z
  .string()
  .default(DEFAULT_PROXY_TOPICS.join(','))
  .transform((value) =>
    value
      .split(',')
      .map((topic) => topic.trim())
      .filter((topic) => topic.length > 0),
  )
  .pipe(
    z.array(
      z.string().refine((topic) => Object.hasOwn(PROXY_KEY_FIELDS, topic), {
        message: `each topic must be one of ${Object.keys(PROXY_KEY_FIELDS).join(', ')}`,
      }),
    ),
  );

/** event-producer's environment: the base settings, its port, its brokers and its HTTP edge. */
export const eventProducerConfigSchema = baseConfigSchema.extend({
  PORT: portVar(3002),
  ...kafkaConfigSchema.shape,
  ...databaseConfigSchema.shape,
  /** Where `POST /events` writes; tests point it at a topic of their own. */
  EVENTS_TOPIC: z
    .string()
    .regex(TOPIC_NAME, { message: 'must be a Kafka topic name' })
    .default(TOPICS.USER_ACTIVITY),
  /**
   * Topics `POST /topics/:topic/records` may write; default: the topics this service owns
   * (`events.user-activity.v1`). Adding `iot.telemetry.v1` lets HTTP clients bypass the
   * iot-ingestor's checks: only for a trusted gateway. A topic of another service not listed
   * here is refused with 403 naming its owner.
   */
  PROXY_TOPICS: proxyTopicsVar,
  /** Longest wait for Kafka's acknowledgement; past it the request fails with 503. */
  KAFKA_DELIVERY_TIMEOUT_MS: msVar(10_000),
  /**
   * How long a record waits for companions before its batch is sent. Records also share
   * batches while one is in flight; 1 ms measured fewer produce requests (less CPU) than 0 and
   * a lower p99 than 2 at 1,000 single events/s (see README).
   */
  KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(1_000).default(1),
  /**
   * Batch compression. `none` by default: small JSON events gain little from gzip, and kafkajs
   * gzips on the libuv pool, which multiplied the p99 of single events (see README).
   */
  KAFKA_COMPRESSION: z.enum(['none', 'gzip']).default('none'),
  /** Requests one client (an issued API key, else its address) may make per window; 429 beyond. */
  RATE_LIMIT_MAX: z.coerce.number().int().positive().default(6_000),
  RATE_LIMIT_WINDOW_MS: msVar(60_000),
  /** Header carrying an API key (counted only when it is one of API_KEYS); `none`: addresses only. */
  RATE_LIMIT_KEY_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'must be an HTTP header name or none' })
    .default('x-api-key')
    .transform((value) => (value.toLowerCase() === 'none' ? undefined : value.toLowerCase())),
  /**
   * API keys issued to clients, comma-separated (at least 16 characters each). A request carrying
   * one of them in RATE_LIMIT_KEY_HEADER is that client (its own rate limit and idempotency keys)
   * wherever it comes from; any other request is its address. Empty (default): addresses only.
   */
  API_KEYS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((key) => key.trim())
        .filter((key) => key.length > 0),
    )
    .pipe(z.array(z.string().min(16, { message: 'each API key must be at least 16 characters' }))),
  /** How long an Idempotency-Key is remembered. */
  IDEMPOTENCY_TTL_MS: msVar(24 * 60 * 60 * 1000),
  /** How long an unfinished request holds its key before another may take it over (a crash). */
  IDEMPOTENCY_LEASE_MS: msVar(60_000),
});

export type EventProducerConfig = z.output<typeof eventProducerConfigSchema>;
