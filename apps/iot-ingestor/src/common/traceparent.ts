import type { MqttMessage } from '@streamline/messaging';

/** W3C Trace Context `traceparent`: version 00, non-zero trace and span ids. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The MQTT 5 `traceparent` user property if it is valid, else undefined: an invalid one is
 * ignored (never copied onto records, where it would poison every downstream trace).
 */
export function traceparentOf(message: Pick<MqttMessage, 'properties'>): string | undefined {
  const property = message.properties?.userProperties?.['traceparent'];
  const value = (Array.isArray(property) ? property[0] : property)?.trim().toLowerCase();
  return value !== undefined && TRACEPARENT.test(value) ? value : undefined;
}
