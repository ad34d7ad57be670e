import { SetMetadata } from '@nestjs/common';
import type { MqttDeadLetterHandler, MqttQos } from '@streamline/messaging';

export const MQTT_SUBSCRIBE_METADATA = Symbol('MQTT_SUBSCRIBE_METADATA');

export interface MqttSubscribeMetadata {
  filter: string;
  qos: MqttQos;
}

/**
 * Makes a provider or controller method the handler of an MQTT subscription:
 * `(message: MqttMessage) => Promise<void>`. The QoS 1 PUBACK goes out when the promise
 * resolves; see MqttSubscriber for what a rejection does.
 */
export function MqttSubscribe(filter: string, options: { qos?: MqttQos } = {}): MethodDecorator {
  return SetMetadata(MQTT_SUBSCRIBE_METADATA, { filter, qos: options.qos ?? 1 });
}

/**
 * Implemented by a class with `@MqttSubscribe` handlers that wants their non-retryable
 * failures (and exhausted retries) itself, e.g. to send the payload to a Kafka `.dlq` topic.
 * The message is acknowledged once this resolves; if it rejects, the message comes back.
 */
export interface MqttDeadLetterAware {
  onMqttDeadLetter: MqttDeadLetterHandler;
}
