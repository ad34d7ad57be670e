import type { IPublishPacket } from 'mqtt';
import type { ErrorClassification } from '../errors/processing-error';

/** MQTT quality of service levels. */
export type MqttQos = 0 | 1 | 2;

/** A message as a handler sees it. */
export interface MqttMessage {
  topic: string;
  payload: Buffer;
  qos: MqttQos;
  retain: boolean;
  /** True when the broker re-sends a message it had sent before without getting our ack. */
  dup: boolean;
  messageId?: number;
  properties?: IPublishPacket['properties'];
  /** Epoch ms at which this process received it. */
  receivedAt: number;
  /** The filter of the subscription that matched. */
  subscription: string;
}

/**
 * Handles one message; the QoS 1 PUBACK goes out when it resolves. `signal` aborts when that
 * ack can no longer be sent (connection lost, stop): the broker re-sends the message anyway.
 */
export type MqttHandler = (message: MqttMessage, signal: AbortSignal) => Promise<void>;

/** Where a message goes that no retry can fix (or that exhausted its retries). */
export type MqttDeadLetterHandler = (
  message: MqttMessage,
  failure: ErrorClassification,
) => Promise<void>;

export interface MqttSubscription {
  /** Topic filter, `$share/<group>/…` for a shared subscription. */
  filter: string;
  qos: MqttQos;
  handler: MqttHandler;
  /** Overrides the subscriber-wide dead-letter handler for this subscription. */
  onDeadLetter?: MqttDeadLetterHandler;
}

export function toMqttMessage(
  packet: IPublishPacket,
  subscription: string,
  receivedAt: number,
): MqttMessage {
  return {
    topic: packet.topic,
    payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
    qos: packet.qos,
    retain: packet.retain,
    dup: packet.dup,
    ...(packet.messageId !== undefined ? { messageId: packet.messageId } : {}),
    ...(packet.properties ? { properties: packet.properties } : {}),
    receivedAt,
    subscription,
  };
}
