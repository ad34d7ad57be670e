import { z } from 'zod';
import {
  countSchema,
  deviceIdSchema,
  finiteNumberSchema,
  hasKeys,
  metricNameSchema,
} from '../../common/identifiers';
import { epochMsSchema, timestampSchema } from '../../common/timestamp';
import { defineContract, parseJson, validate, type ValidationResult } from '../../contract';
import { parseMqttTopic } from '../../subjects/subjects';

/** A device reports at most this many metrics per reading: a bound against abusive payloads. */
export const MAX_METRICS_PER_READING = 100;

/** `{ <metric>: number }`, at least one entry: a reading without a value carries nothing. */
export const telemetryMetricsSchema = z
  .record(metricNameSchema, finiteNumberSchema)
  .refine(hasKeys, { message: 'at least one metric is required' })
  .refine((m) => Object.keys(m).length <= MAX_METRICS_PER_READING, {
    message: `at most ${MAX_METRICS_PER_READING} metrics per reading`,
  })
  .meta({ minProperties: 1, maxProperties: MAX_METRICS_PER_READING });

/**
 * What a device publishes on `sensors/<deviceId>/telemetry`. `deviceId` may be omitted (the MQTT
 * topic names the device); `ts` may be ISO-8601 or epoch ms. Unknown fields are ignored so that
 * firmware can add diagnostics without being dead-lettered.
 */
export const telemetryReadingSchema = z.object({
  deviceId: deviceIdSchema.optional(),
  ts: timestampSchema,
  seq: countSchema.optional(),
  metrics: telemetryMetricsSchema,
});

/** A telemetry record on `iot.telemetry.v1` (and inside `iot.telemetry.late.v1`); key = deviceId. */
export const telemetryRecordSchema = z.object({
  deviceId: deviceIdSchema,
  /** Event time, epoch ms. */
  ts: epochMsSchema,
  seq: countSchema.optional(),
  metrics: telemetryMetricsSchema,
  /** When the ingestor accepted the reading, epoch ms. */
  ingestedAt: epochMsSchema,
});

export type TelemetryReadingInput = z.input<typeof telemetryReadingSchema>;
export type TelemetryReading = z.output<typeof telemetryReadingSchema>;
export type TelemetryRecord = z.output<typeof telemetryRecordSchema>;
export type TelemetryMetrics = z.output<typeof telemetryMetricsSchema>;

/** The MQTT payload contract (never a Kafka record: its failures go to `iot.telemetry.v1.dlq`). */
export const telemetryReadingContract = defineContract(
  'iot.telemetry.reading',
  1,
  telemetryReadingSchema,
);

/** The Kafka record contract, `schema: iot.telemetry/1`. */
export const telemetryContract = defineContract('iot.telemetry', 1, telemetryRecordSchema, {
  // Its JSON Schema says all: compiled-validator.spec.ts proves it on generated records.
  exactJsonSchema: true,
});

/**
 * Builds the Kafka record from a validated reading and the device named by its MQTT topic.
 * A payload `deviceId` that disagrees with the topic is a violation, reported at path `deviceId`.
 */
export function toTelemetryRecord(
  reading: TelemetryReading,
  topicDeviceId: string,
  ingestedAt: number,
): ValidationResult<TelemetryRecord> {
  if (reading.deviceId !== undefined && reading.deviceId !== topicDeviceId) {
    const message = `"${reading.deviceId}" disagrees with the MQTT topic device "${topicDeviceId}"`;
    return { ok: false, issues: [{ path: 'deviceId', message, code: 'custom' }] };
  }
  return validate(telemetryContract, { ...reading, deviceId: topicDeviceId, ingestedAt });
}

/**
 * The ingestor's whole decode step for one MQTT message: strict UTF-8 JSON, the reading contract,
 * the device named by the topic, then the record contract. Pure, so it is tested without a broker.
 */
export function telemetryRecordFromMqtt(
  mqttTopic: string,
  payload: Uint8Array | string,
  ingestedAt: number,
): ValidationResult<TelemetryRecord> {
  const topic = parseMqttTopic(mqttTopic);
  if (topic?.kind !== 'telemetry') {
    const message = `MQTT topic "${mqttTopic}" is not sensors/<deviceId>/telemetry with a safe deviceId`;
    return { ok: false, issues: [{ path: '', message, code: 'invalid_topic' }] };
  }
  const reading = parseJson(telemetryReadingContract, payload);
  return reading.ok ? toTelemetryRecord(reading.value, topic.deviceId, ingestedAt) : reading;
}
