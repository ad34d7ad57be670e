import type { MqttClient } from 'mqtt';
import { computeBackoffMs, type BackoffPolicy } from '../kafka/retry/backoff';
import type { MessagingLogger } from '../logging/messaging-logger';

/** Reconnect delays: `initialMs` after a drop, doubling per failed attempt up to `maxMs`. */
export interface MqttBackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_MQTT_BACKOFF: MqttBackoffPolicy = { initialMs: 500, maxMs: 30_000 };

/** The library's one backoff policy for MQTT delays: doubling, no jitter (one client, one timer). */
export function asBackoffPolicy(policy: MqttBackoffPolicy): BackoffPolicy {
  return { initialMs: policy.initialMs, maxMs: policy.maxMs, multiplier: 2, jitter: 0 };
}

/** The delay before the reconnect attempt after `failedAttempts` failed ones: initial·2^n, capped. */
export function mqttReconnectDelayMs(failedAttempts: number, policy: MqttBackoffPolicy): number {
  return computeBackoffMs(failedAttempts + 1, asBackoffPolicy(policy));
}

/**
 * Turns mqtt.js's fixed `reconnectPeriod` into exponential backoff. mqtt.js arms its reconnect
 * timer from `options.reconnectPeriod` when the connection closes, and clears it when an attempt
 * starts (`reconnect` event); so every attempt sets the period the next failure will wait, and
 * a successful `connect` resets it.
 */
export function attachReconnectBackoff(
  client: MqttClient,
  policy: MqttBackoffPolicy,
  logger: MessagingLogger,
): void {
  let failedAttempts = 0;
  client.options.reconnectPeriod = policy.initialMs;
  client.on('reconnect', () => {
    failedAttempts += 1;
    client.options.reconnectPeriod = mqttReconnectDelayMs(failedAttempts, policy);
    logger.debug(
      { attempt: failedAttempts, nextDelayMs: client.options.reconnectPeriod },
      'MQTT reconnecting',
    );
  });
  client.on('connect', () => {
    failedAttempts = 0;
    client.options.reconnectPeriod = policy.initialMs;
  });
}

/**
 * Drops the connection without a DISCONNECT, as a network fault would, and reconnects after
 * `delayMs` (mqtt.js' own reconnect, so the client must not have `reconnectPeriod: 0`). The
 * broker keeps the session and re-sends every unacknowledged QoS 1/2 message; it also
 * publishes the client's Will, if it has one, so a consuming client should not set one.
 */
export function reconnectAfter(client: MqttClient, delayMs: number): void {
  client.options.reconnectPeriod = Math.max(1, delayMs);
  client.stream.destroy();
}
