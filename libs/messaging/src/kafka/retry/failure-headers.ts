import { HEADERS } from '@streamline/contracts';
import type { IHeaders, KafkaMessage } from 'kafkajs';

/**
 * Our extension of ARCHITECTURE's header list (`HEADERS.RETRY_GROUP`): the consumer group whose
 * handler failed. A `.retry` record returns to the origin topic, where every group of that topic
 * sees it again; only the group named here processes it, the others skip it (and commit past it).
 */
export const RETRY_GROUP_HEADER = HEADERS.RETRY_GROUP;

/** Header values are cut to this many characters: an error message must not make a record too large. */
export const MAX_ERROR_HEADER_CHARS = 2_000;

/** A record ready for `producer.send`: key, value and headers as bytes or strings. */
export interface OutgoingFailureRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: IHeaders;
}

export interface RetryRecordInput {
  message: KafkaMessage;
  originTopic: string;
  originPartition: number;
  /** The attempt the retried record will be, 1-based (2 after the first failure). */
  nextAttempt: number;
  /** Epoch ms before which the forwarder must not send it back. */
  notBefore: number;
  /** `<code>: <message>` of the failure. */
  error: string;
  group: string;
}

/** The `.retry` record: the original key, value and headers plus the `retry.*` headers. */
export function buildRetryRecord(input: RetryRecordInput): OutgoingFailureRecord {
  const { message } = input;
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [HEADERS.RETRY_ATTEMPT]: String(input.nextAttempt),
      [HEADERS.RETRY_NOT_BEFORE]: String(input.notBefore),
      [HEADERS.RETRY_ORIGIN_TOPIC]: input.originTopic,
      [HEADERS.RETRY_ORIGIN_PARTITION]: String(input.originPartition),
      [HEADERS.RETRY_ORIGIN_OFFSET]: message.offset,
      [HEADERS.RETRY_ERROR]: truncate(input.error),
      [RETRY_GROUP_HEADER]: input.group,
    },
  };
}

export interface DeadLetterInput {
  message: KafkaMessage;
  originTopic: string;
  originPartition: number;
  service: string;
  errorClass: string;
  errorMessage: string;
  /** Attempts made, the failed one included. */
  attempts: number;
}

/**
 * The `.dlq` record: the ORIGINAL key, value and headers, byte for byte, plus the `dlq.*`
 * headers, so a replay sends back exactly what was received.
 */
export function buildDeadLetterRecord(input: DeadLetterInput): OutgoingFailureRecord {
  const { message } = input;
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [HEADERS.DLQ_ORIGIN_TOPIC]: input.originTopic,
      [HEADERS.DLQ_ORIGIN_PARTITION]: String(input.originPartition),
      [HEADERS.DLQ_ORIGIN_OFFSET]: message.offset,
      [HEADERS.DLQ_ORIGIN_TIMESTAMP]: message.timestamp,
      [HEADERS.DLQ_SERVICE]: input.service,
      [HEADERS.DLQ_ERROR_CLASS]: truncate(input.errorClass),
      [HEADERS.DLQ_ERROR_MESSAGE]: truncate(input.errorMessage),
      [HEADERS.DLQ_ATTEMPTS]: String(input.attempts),
    },
  };
}

/** The last value of a header as a string (Kafka allows repeated header names). */
export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : last.toString();
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_HEADER_CHARS
    ? text
    : `${text.slice(0, MAX_ERROR_HEADER_CHARS - 1)}…`;
}
