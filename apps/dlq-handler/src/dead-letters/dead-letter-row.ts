import type { StoredHeader } from './dead-letter-record';

export const DEAD_LETTER_STATUSES = ['new', 'replayed', 'discarded'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/** A `dlq.dead_letters` row as node-postgres returns it (bigints as strings). */
export interface DeadLetterRow {
  id: string;
  dlq_topic: string;
  dlq_partition: number;
  dlq_offset: string;
  origin_topic: string;
  origin_partition: number | null;
  origin_offset: string | null;
  origin_timestamp: Date | null;
  key: Buffer | null;
  value: Buffer | null;
  headers: StoredHeader[];
  service: string | null;
  error_class: string | null;
  error_message: string | null;
  attempts: number | null;
  first_failed_at: Date;
  last_failed_at: Date;
  status: DeadLetterStatus;
  replay_count: number;
  replay_of: string | null;
}

/** The filters of `GET /dead-letters` and of bulk replays. */
export interface DeadLetterFilter {
  topic?: string;
  service?: string;
  errorClass?: string;
  status?: DeadLetterStatus;
  /** Last failure at or after (epoch ms). */
  since?: number;
  /** Last failure before (epoch ms). */
  until?: number;
}

/** The WHERE clause of a filter, with its parameters numbered from `firstParam`. */
export function filterSql(
  filter: DeadLetterFilter,
  firstParam = 1,
): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${firstParam + params.length - 1}`));
  };
  if (filter.topic !== undefined) add('origin_topic = ?', filter.topic);
  if (filter.service !== undefined) add('service = ?', filter.service);
  if (filter.errorClass !== undefined) add('error_class = ?', filter.errorClass);
  if (filter.status !== undefined) add('status = ?', filter.status);
  if (filter.since !== undefined)
    add('last_failed_at >= to_timestamp(?::float8 / 1000)', filter.since);
  if (filter.until !== undefined)
    add('last_failed_at < to_timestamp(?::float8 / 1000)', filter.until);
  return { where: clauses.length > 0 ? clauses.join(' AND ') : 'TRUE', params };
}
