import { HEADERS, mqttOrigin } from '@streamline/contracts';
import type { RawRecord } from '@streamline/messaging';
import type { TelemetryFault } from './telemetry-faults';

/** Our addition to the `dlq.*` headers: the length of a value that had to be cut to fit Kafka. */
export const DLQ_VALUE_TRUNCATED_FROM = 'dlq.value.truncated-from';

/** Header values are cut to this many characters: a reason must not make a record too large. */
const MAX_HEADER_CHARS = 2_000;

export interface DeadLetterContext {
  dlqTopic: string;
  mqttTopic: string;
  /** The device level of the MQTT topic (the record key), even when it is not a valid id. */
  key: string | null;
  /** Epoch ms at which the ingestor received the MQTT message. */
  receivedAt: number;
  service: string;
  /** A larger value is cut to this many bytes (Kafka refuses records above max.message.bytes). */
  maxValueBytes: number;
  traceparent?: string;
}

/**
 * The dead-letter record of one fault: the original bytes as the value (cut only if Kafka could
 * not hold them), key = the topic's device, and the ARCHITECTURE `dlq.*` headers. An MQTT message
 * has no partition or offset, so those two headers are absent; `dlq.attempts` is 1 because
 * validation gives the same answer every time.
 */
export function deadLetterRecord(fault: TelemetryFault, context: DeadLetterContext): RawRecord {
  const cut = fault.value.length > context.maxValueBytes;
  return {
    topic: context.dlqTopic,
    key: context.key,
    value: cut ? fault.value.subarray(0, context.maxValueBytes) : fault.value,
    headers: {
      [HEADERS.DLQ_ORIGIN_TOPIC]: mqttOrigin(context.mqttTopic),
      [HEADERS.DLQ_ORIGIN_TIMESTAMP]: String(context.receivedAt),
      [HEADERS.DLQ_SERVICE]: context.service,
      [HEADERS.DLQ_ERROR_CLASS]: fault.kind.errorClass,
      [HEADERS.DLQ_ERROR_MESSAGE]: truncate(fault.message),
      [HEADERS.DLQ_ATTEMPTS]: '1',
      ...(context.traceparent ? { [HEADERS.TRACEPARENT]: context.traceparent } : {}),
      ...(cut ? { [DLQ_VALUE_TRUNCATED_FROM]: String(fault.value.length) } : {}),
    },
  };
}

function truncate(text: string): string {
  return text.length <= MAX_HEADER_CHARS ? text : `${text.slice(0, MAX_HEADER_CHARS - 1)}…`;
}
