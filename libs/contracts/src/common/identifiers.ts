import { z } from 'zod';

/**
 * A device id becomes an MQTT topic level (`sensors/<id>/telemetry`), a NATS subject token
 * (`alerts.telemetry.<id>`), a NATS KV key and a Kafka key. `.`, `*`, `>`, `/`, `+`, `#` and
 * whitespace would change the meaning of a subject or topic, so only this safe set is allowed.
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Metric names and user-activity types are object keys in windows and sessions; they exclude `.`
 * so that an issue path such as `metrics.temperature.min` stays unambiguous.
 */
export const METRIC_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_:-]{1,64}$/;

/**
 * User ids are opaque (uuids, e-mails, numbers as text) but never empty, and free of whitespace,
 * control characters (NUL, escapes, DEL, C1: they forge log lines and break terminals and C
 * strings downstream) and lone surrogates (not encodable as UTF-8: the Kafka key would differ
 * from the value's userId).
 */
export const USER_ID_PATTERN = /^[^\s\p{Cc}\p{Cs}]{1,256}$/u;

/** Whether a value is a device id that is safe as a subject token, topic level and key. */
export function isSafeDeviceId(value: unknown): value is string {
  return typeof value === 'string' && DEVICE_ID_PATTERN.test(value);
}

export const deviceIdSchema = z
  .string()
  .regex(DEVICE_ID_PATTERN, {
    message:
      'must be 1-128 characters of A-Z, a-z, 0-9, "_" or "-" (no ".", "*", ">", "/", spaces)',
  })
  .meta({ description: 'Device id: 1-128 of [A-Za-z0-9_-], safe as NATS token and MQTT level' });

export const metricNameSchema = z.string().regex(METRIC_NAME_PATTERN, {
  message: 'metric name must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"',
});

export const eventTypeSchema = z.string().regex(EVENT_TYPE_PATTERN, {
  message: 'event type must be 1-64 characters of A-Z, a-z, 0-9, "_", ":" or "-"',
});

export const userIdSchema = z.string().regex(USER_ID_PATTERN, {
  message: 'userId must be 1-256 characters without whitespace or control characters',
});

/** A number that JSON can carry: zod already rejects NaN and Infinity. */
export const finiteNumberSchema = z.number();

/** A count or sequence number: a non-negative safe integer. */
export const countSchema = z.int().min(0);

/** Counts object keys: zod records have no minimum-size check of their own. */
export function hasKeys(record: object): boolean {
  return Object.keys(record).length > 0;
}
