import { HEADERS } from '@streamline/contracts';
import { headerValue } from '@streamline/messaging';
import type { KafkaMessage } from 'kafkajs';

/** A header as stored: its name and its exact bytes (base64); repeated names stay repeated. */
export type StoredHeader = readonly [name: string, base64: string];

/** A dead letter as it is inserted into `dlq.dead_letters`. */
export interface NewDeadLetter {
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  originTopic: string;
  originPartition: number | null;
  originOffset: string | null;
  originTimestampMs: number | null;
  key: Buffer | null;
  value: Buffer | null;
  headers: StoredHeader[];
  service: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  attempts: number | null;
  /** When the dead letter was written (the `.dlq` record's timestamp). */
  failedAtMs: number;
  /** `dlq.replay-count` of a record that failed again after a replay. */
  replayCount: number;
  /** `dlq.replay-of`: the row this record was replayed from. */
  replayOf: string | null;
}

/** Reads one `.dlq` record; missing `dlq.*` headers become nulls, never a lost record. */
export function toNewDeadLetter(
  dlqTopic: string,
  dlqPartition: number,
  message: KafkaMessage,
): NewDeadLetter {
  const h = (name: string) => headerValue(message.headers, name);
  const failedAtMs = Number(message.timestamp);
  return {
    dlqTopic,
    dlqPartition,
    dlqOffset: message.offset,
    originTopic: h(HEADERS.DLQ_ORIGIN_TOPIC) ?? originOfDlqTopic(dlqTopic),
    originPartition: intOrNull(h(HEADERS.DLQ_ORIGIN_PARTITION)),
    originOffset: digitsOrNull(h(HEADERS.DLQ_ORIGIN_OFFSET)),
    originTimestampMs: intOrNull(h(HEADERS.DLQ_ORIGIN_TIMESTAMP)),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: storedHeaders(message.headers),
    service: h(HEADERS.DLQ_SERVICE) ?? null,
    errorClass: h(HEADERS.DLQ_ERROR_CLASS) ?? null,
    errorMessage: h(HEADERS.DLQ_ERROR_MESSAGE) ?? null,
    attempts: intOrNull(h(HEADERS.DLQ_ATTEMPTS)),
    failedAtMs: Number.isFinite(failedAtMs) ? failedAtMs : Date.now(),
    replayCount: Math.max(0, intOrNull(h(HEADERS.DLQ_REPLAY_COUNT)) ?? 0),
    replayOf: digitsOrNull(h(HEADERS.DLQ_REPLAY_OF)),
  };
}

/** Every header value as exact bytes, in order. */
export function storedHeaders(headers: KafkaMessage['headers']): StoredHeader[] {
  const stored: StoredHeader[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) {
      if (one === undefined) continue;
      stored.push([name, Buffer.from(one).toString('base64')]);
    }
  }
  return stored;
}

function originOfDlqTopic(topic: string): string {
  return topic.endsWith('.dlq') ? topic.slice(0, -'.dlq'.length) : topic;
}

function intOrNull(text: string | undefined): number | null {
  if (text === undefined || !/^-?\d{1,15}$/.test(text)) return null;
  return Number(text);
}

function digitsOrNull(text: string | undefined): string | null {
  return text !== undefined && /^\d{1,18}$/.test(text) ? text : null;
}
