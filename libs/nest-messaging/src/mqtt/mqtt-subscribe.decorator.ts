import { SetMetadata } from '@nestjs/common';
import type { MqttDeadLetterHandler, MqttQos } from '@streamline/messaging';

export const MQTT_SUBSCRIBE_METADATA = Symbol('MQTT_SUBSCRIBE_METADATA');

/** The session of MqttModule.forRoot's own client id; `sessions` adds named ones. */
export const DEFAULT_MQTT_SESSION = 'default';

/**
 * A topic filter, or how to read it from the service's validated configuration (APP_CONFIG),
 * for filters a deployment chooses (a share group, a topic prefix of a test).
 */
export type MqttFilterSource = string | ((config: never) => string);

export interface MqttSubscribeMetadata {
  filter: MqttFilterSource;
  qos: MqttQos;
  session: string;
}

/**
 * Makes a provider or controller method the handler of an MQTT subscription:
 * `(message: MqttMessage, signal: AbortSignal) => Promise<void>`. The QoS 1 PUBACK goes out
 * when the promise resolves; see MqttSubscriber for what a rejection does. `session` names one
 * of MqttModule's `sessions` (its own client id and in-flight window).
 */
export function MqttSubscribe<C = never>(
  filter: string | ((config: C) => string),
  options: { qos?: MqttQos; session?: string } = {},
): MethodDecorator {
  return SetMetadata(MQTT_SUBSCRIBE_METADATA, {
    filter: filter as MqttFilterSource,
    qos: options.qos ?? 1,
    session: options.session ?? DEFAULT_MQTT_SESSION,
  } satisfies MqttSubscribeMetadata);
}

/**
 * Implemented by a class with `@MqttSubscribe` handlers that wants their non-retryable
 * failures (and exhausted retries) itself, e.g. to send the payload to a Kafka `.dlq` topic.
 * The message is acknowledged once this resolves; if it rejects, the message comes back.
 */
export interface MqttDeadLetterAware {
  onMqttDeadLetter: MqttDeadLetterHandler;
}
