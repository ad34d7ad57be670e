import { z } from 'zod';

/** A TCP port given as an environment string. */
export const portVar = (defaultPort: number) =>
  z.coerce.number().int().min(0).max(65535).default(defaultPort);

/** A positive integer of milliseconds given as an environment string. */
export const msVar = (defaultMs: number) => z.coerce.number().int().positive().default(defaultMs);

/** A URL whose protocol is one of `protocols`, e.g. `mqtt:` or `postgres:`. */
export const urlVar = (defaultUrl: string, protocols: readonly string[]) =>
  z
    .string()
    .default(defaultUrl)
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL with protocol ${protocols.join(' or ')}` },
    );

/** `host:port[,host:port…]`, the Kafka bootstrap list, parsed to an array. */
export const kafkaBrokersVar = z
  .string()
  .default('localhost:9092')
  .transform((value) =>
    value
      .split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker.length > 0),
  )
  .pipe(
    z
      .array(
        z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: 'each broker must be host:port' }),
      )
      .min(1, { message: 'at least one broker is required' }),
  );

/**
 * Which proxies may set X-Forwarded-For (Fastify `trustProxy`): `false` (default: the client is
 * the socket's peer, so a forged header changes nothing), `true` (any: only behind a proxy that
 * overwrites the header), a hop count, or a comma-separated list of proxy addresses/CIDRs.
 */
export const trustProxyVar = z
  .string()
  .default('false')
  .transform((value, ctx): boolean | number | string[] => {
    const v = value.trim();
    if (v === 'false' || v === '') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    const list = v.split(',').map((p) => p.trim());
    if (list.every((p) => /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(p))) return list;
    ctx.addIssue({
      code: 'custom',
      message: 'must be false, true, a hop count, or a comma-separated list of addresses/CIDRs',
    });
    return z.NEVER;
  });

/** Settings every service has. Each service extends this with the brokers it really uses. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('0.0.0.0'),
  HTTP_TRUST_PROXY: trustProxyVar,
  SHUTDOWN_TIMEOUT_MS: msVar(10_000),
  READINESS_TIMEOUT_MS: msVar(2_000),
});

export const kafkaConfigSchema = z.object({
  KAFKA_BROKERS: kafkaBrokersVar,
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
});

export const natsConfigSchema = z.object({
  NATS_URL: urlVar('nats://localhost:4222', ['nats:', 'tls:']),
});

export const mqttConfigSchema = z.object({
  MQTT_URL: urlVar('mqtt://localhost:1883', ['mqtt:', 'mqtts:', 'ws:', 'wss:']),
});

export const databaseConfigSchema = z.object({
  DATABASE_URL: urlVar('postgres://postgres@localhost:5432/streamline', [
    'postgres:',
    'postgresql:',
  ]),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;
export type KafkaConfig = z.infer<typeof kafkaConfigSchema>;
export type NatsConfig = z.infer<typeof natsConfigSchema>;
export type MqttConfig = z.infer<typeof mqttConfigSchema>;
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;

/** The smallest config a service has: the base settings plus its HTTP port. */
export type ServiceConfig = BaseConfig & { PORT: number };
