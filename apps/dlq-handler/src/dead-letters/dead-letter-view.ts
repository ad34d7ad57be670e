import type { SchemaObject } from '@nestjs/swagger';
import { decodeJson } from '@streamline/contracts';
import type { DeadLetterRow, DeadLetterStatus } from './dead-letter-row';

/** A dead letter as the API shows it (ARCHITECTURE.md "Failures"). */
export interface DeadLetterItem {
  id: string;
  originTopic: string;
  originPartition: number | null;
  originOffset: string | null;
  originTimestamp: string | null;
  key: string | null;
  headers: Record<string, string>;
  /** The parsed JSON when the bytes are UTF-8 JSON, else null. */
  value: unknown;
  /** The exact bytes; null for a null value (tombstone). */
  valueBase64: string | null;
  service: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  attempts: number | null;
  status: DeadLetterStatus;
  replayCount: number;
  /** The dead letter this record was replayed from, when it failed again after a replay. */
  replayOf: string | null;
  firstFailedAt: string;
  lastFailedAt: string;
}

/** Headers as strings (last value of a repeated name), for reading; the row keeps the bytes. */
export function headersOf(row: Pick<DeadLetterRow, 'headers'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, base64] of row.headers) out[name] = Buffer.from(base64, 'base64').toString();
  return out;
}

export function toDeadLetterItem(row: DeadLetterRow): DeadLetterItem {
  const parsed = row.value === null ? undefined : decodeJson(row.value);
  return {
    id: String(row.id),
    originTopic: row.origin_topic,
    originPartition: row.origin_partition,
    originOffset: row.origin_offset === null ? null : String(row.origin_offset),
    originTimestamp: row.origin_timestamp?.toISOString() ?? null,
    key: row.key === null ? null : row.key.toString(),
    headers: headersOf(row),
    value: parsed?.ok ? parsed.value : null,
    valueBase64: row.value === null ? null : row.value.toString('base64'),
    service: row.service,
    errorClass: row.error_class,
    errorMessage: row.error_message,
    attempts: row.attempts,
    status: row.status,
    replayCount: row.replay_count,
    replayOf: row.replay_of === null ? null : String(row.replay_of),
    firstFailedAt: row.first_failed_at.toISOString(),
    lastFailedAt: row.last_failed_at.toISOString(),
  };
}

/** The OpenAPI schema of an item. */
export const DEAD_LETTER_ITEM_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    originTopic: { type: 'string', description: 'Kafka topic, or mqtt:<MQTT topic>' },
    originPartition: { type: 'integer', nullable: true },
    originOffset: { type: 'string', nullable: true },
    originTimestamp: { type: 'string', format: 'date-time', nullable: true },
    key: { type: 'string', nullable: true },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    value: { description: 'Parsed JSON when the bytes are UTF-8 JSON, else null', nullable: true },
    valueBase64: { type: 'string', format: 'byte', nullable: true },
    service: { type: 'string', nullable: true },
    errorClass: { type: 'string', nullable: true },
    errorMessage: { type: 'string', nullable: true },
    attempts: { type: 'integer', nullable: true },
    status: { type: 'string', enum: ['new', 'replayed', 'discarded'] },
    replayCount: { type: 'integer' },
    replayOf: { type: 'string', nullable: true },
    firstFailedAt: { type: 'string', format: 'date-time' },
    lastFailedAt: { type: 'string', format: 'date-time' },
  },
};
