import { z } from 'zod';
import { deviceIdSchema } from '../../common/identifiers';
import { epochMsSchema } from '../../common/timestamp';
import {
  decodeJson,
  decodeUtf8,
  defineContract,
  validate,
  type ValidationResult,
} from '../../contract';
import { parseMqttTopic } from '../../subjects/subjects';

export const DEVICE_STATUSES = ['online', 'offline'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

const statusSchema = z.enum(DEVICE_STATUSES, { message: 'status must be "online" or "offline"' });

/** The value stored under key `<deviceId>` in NATS KV bucket `device-presence`. */
export const devicePresenceSchema = z.object({
  deviceId: deviceIdSchema,
  status: statusSchema,
  /** When the ingestor last heard from the device, epoch ms. */
  lastSeen: epochMsSchema,
});

/** The JSON form of a payload on `sensors/<deviceId>/status`; plain `online`/`offline` also works. */
export const deviceStatusPayloadSchema = z.object({ status: statusSchema });

export type DevicePresence = z.output<typeof devicePresenceSchema>;

/** `device-presence/1`. */
export const devicePresenceContract = defineContract('device-presence', 1, devicePresenceSchema);

/** The JSON-object form of a status payload, `device-status/1`. */
export const deviceStatusContract = defineContract('device-status', 1, deviceStatusPayloadSchema);

/**
 * Turns an MQTT status message (the device's birth message or its Last Will) into the KV value.
 * `lastSeen` is the receive time: a Last Will is composed when the device connects, so a
 * timestamp inside it would be stale.
 */
export function devicePresenceFromMqtt(
  mqttTopic: string,
  payload: Uint8Array | string,
  receivedAt: number,
): ValidationResult<DevicePresence> {
  const topic = parseMqttTopic(mqttTopic);
  if (topic?.kind !== 'status') {
    const message = `MQTT topic "${mqttTopic}" is not sensors/<deviceId>/status with a safe deviceId`;
    return { ok: false, issues: [{ path: '', message, code: 'invalid_topic' }] };
  }
  const status = statusOfPayload(payload);
  if (!status.ok) return status;
  return validate(devicePresenceContract, {
    deviceId: topic.deviceId,
    status: status.value,
    lastSeen: receivedAt,
  });
}

/** Reads `online`, `"online"` or `{"status":"online"}`: LWT payloads are often plain text. */
export function statusOfPayload(payload: Uint8Array | string): ValidationResult<DeviceStatus> {
  const text = decodeUtf8(payload);
  if (!text.ok) return text;
  const bare = text.value.trim();
  if (isDeviceStatus(bare)) return { ok: true, value: bare };
  const json = decodeJson(text.value);
  if (!json.ok) return json;
  if (typeof json.value === 'string') {
    if (isDeviceStatus(json.value)) return { ok: true, value: json.value };
    const message = 'status must be "online" or "offline"';
    return { ok: false, issues: [{ path: '', message, code: 'invalid_value' }] };
  }
  const parsed = validate(deviceStatusContract, json.value);
  return parsed.ok ? { ok: true, value: parsed.value.status } : parsed;
}

function isDeviceStatus(value: string): value is DeviceStatus {
  return (DEVICE_STATUSES as readonly string[]).includes(value);
}
