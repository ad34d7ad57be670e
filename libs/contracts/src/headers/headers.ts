import type { Contract } from '../contract';

/** Kafka and NATS header names. Lower-case dotted names are ours; `Nats-Msg-Id` is NATS's own. */
export const HEADERS = {
  CONTENT_TYPE: 'content-type',
  /** `<name>/<version>` of the value's contract, e.g. `iot.telemetry/1`. */
  SCHEMA: 'schema',
  /** W3C Trace Context. */
  TRACEPARENT: 'traceparent',

  /** 1-based number of the attempt this retry record will be. */
  RETRY_ATTEMPT: 'retry.attempt',
  /** Epoch ms before which dlq-handler must not send the record back. */
  RETRY_NOT_BEFORE: 'retry.not-before',
  RETRY_ORIGIN_TOPIC: 'retry.origin.topic',
  RETRY_ORIGIN_PARTITION: 'retry.origin.partition',
  RETRY_ORIGIN_OFFSET: 'retry.origin.offset',
  RETRY_ERROR: 'retry.error',
  /**
   * Extension of ARCHITECTURE.md's list: the consumer group that failed. A retried record
   * returns to its origin topic, so other groups of that topic skip it instead of handling it twice.
   */
  RETRY_GROUP: 'retry.group',

  /** A Kafka topic, or `mqtt:<MQTT topic>` for input that never was a Kafka record. */
  DLQ_ORIGIN_TOPIC: 'dlq.origin.topic',
  DLQ_ORIGIN_PARTITION: 'dlq.origin.partition',
  DLQ_ORIGIN_OFFSET: 'dlq.origin.offset',
  /** Epoch ms of the original record (or of MQTT receipt). */
  DLQ_ORIGIN_TIMESTAMP: 'dlq.origin.timestamp',
  DLQ_SERVICE: 'dlq.service',
  DLQ_ERROR_CLASS: 'dlq.error.class',
  DLQ_ERROR_MESSAGE: 'dlq.error.message',
  DLQ_ATTEMPTS: 'dlq.attempts',
  /** On a record the dlq-handler replayed: how many times this record has been replayed. */
  DLQ_REPLAY_COUNT: 'dlq.replay-count',
  /**
   * Extension of ARCHITECTURE.md's list: the id of the `dlq.dead_letters` row a replayed record
   * came from, so a record that fails again is linked to its earlier dead letter.
   */
  DLQ_REPLAY_OF: 'dlq.replay-of',
  /** Extension: the bulk replay that sent the record (absent on single replays). */
  DLQ_REPLAY_ID: 'dlq.replay-id',

  /** JetStream de-duplication id (the alertId for alerts). */
  NATS_MSG_ID: 'Nats-Msg-Id',
} as const;

export type HeaderName = (typeof HEADERS)[keyof typeof HEADERS];

export const CONTENT_TYPE_JSON = 'application/json';

/** Prefix of `dlq.origin.topic` for payloads that arrived over MQTT. */
export const MQTT_ORIGIN_PREFIX = 'mqtt:';

/** `dlq.origin.topic` value for an MQTT payload: `mqtt:sensors/abc/telemetry`. */
export function mqttOrigin(mqttTopic: string): string {
  return `${MQTT_ORIGIN_PREFIX}${mqttTopic}`;
}

/** The headers every record of a contract carries: content type, schema id, traceparent if any. */
export function contractHeaders(
  contract: Pick<Contract, 'schemaId'>,
  traceparent?: string,
): Record<string, string> {
  return {
    [HEADERS.CONTENT_TYPE]: CONTENT_TYPE_JSON,
    [HEADERS.SCHEMA]: contract.schemaId,
    ...(traceparent ? { [HEADERS.TRACEPARENT]: traceparent } : {}),
  };
}
