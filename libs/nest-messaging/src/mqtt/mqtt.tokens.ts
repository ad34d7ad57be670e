import type { MqttSubscriber } from '@streamline/messaging';
import type { MqttClient } from 'mqtt';

/** Injection token of the default session's MQTT client. */
export const MQTT_CLIENT = Symbol('MQTT_CLIENT');
/** Injection token of every session of MqttModule (`MqttSession[]`). */
export const MQTT_SESSIONS = Symbol('MQTT_SESSIONS');
/** Injection token of what the subscribers do at shutdown. */
export const MQTT_STOP_POLICY = Symbol('MQTT_STOP_POLICY');

/** One MQTT client (its own client id, so its own persistent session) and its subscriber. */
export interface MqttSession {
  name: string;
  client: MqttClient;
  subscriber: MqttSubscriber;
}

export interface MqttStopPolicy {
  /** Leave the subscriptions and end the sessions (scale-down), instead of keeping them (restart). */
  leaveOnStop: boolean;
  /** How long running handlers may take to finish and ack at shutdown. */
  graceMs: number;
}
