import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { NewDeadLetter } from './dead-letter-record';
import { filterSql, type DeadLetterFilter, type DeadLetterRow } from './dead-letter-row';

/** What the store reports of a row it inserted (for announcements and metrics). */
export interface InsertedDeadLetter {
  id: string;
  origin_topic: string;
  service: string | null;
  error_class: string | null;
  replay_of: string | null;
}

export interface DeadLetterStats {
  total: number;
  byStatus: Record<string, number>;
  groups: Array<{ originTopic: string; errorClass: string | null; status: string; count: number }>;
  /** Age of the oldest dead letter still `new`, in seconds; null when there is none. */
  oldestNewAgeSeconds: number | null;
}

const COLUMNS = `id, dlq_topic, dlq_partition, dlq_offset, origin_topic, origin_partition, origin_offset,
  origin_timestamp, key, value, headers, service, error_class, error_message, attempts,
  first_failed_at, last_failed_at, status, replay_count, replay_of`;

/** `dlq.dead_letters` in Postgres: the one place that knows its SQL. */
@Injectable()
export class DeadLettersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Inserts a batch in one statement (arrays unnested, so any batch size is 20 parameters);
   * a record stored before (redelivery) is skipped. Returns the rows actually inserted. A row
   * that links to an earlier one (`replay_of`) inherits its first failure time.
   */
  async insertBatch(letters: readonly NewDeadLetter[]): Promise<InsertedDeadLetter[]> {
    if (letters.length === 0) return [];
    const col = <T>(pick: (l: NewDeadLetter) => T) => letters.map(pick);
    return this.db.query(
      `INSERT INTO dlq.dead_letters (dlq_topic, dlq_partition, dlq_offset, origin_topic,
         origin_partition, origin_offset, origin_timestamp, key, value, headers, service,
         error_class, error_message, attempts, first_failed_at, last_failed_at, replay_count, replay_of)
       SELECT v.dlq_topic, v.dlq_partition, v.dlq_offset, v.origin_topic, v.origin_partition,
         v.origin_offset, to_timestamp(v.origin_ts::float8 / 1000), v.key, v.value, v.headers::jsonb,
         v.service, v.error_class, v.error_message, v.attempts,
         LEAST(to_timestamp(v.failed_ms::float8 / 1000), prev.first_failed_at),
         to_timestamp(v.failed_ms::float8 / 1000), v.replay_count, v.replay_of
       FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::int[], $6::bigint[],
         $7::bigint[], $8::bytea[], $9::bytea[], $10::text[], $11::text[], $12::text[], $13::text[],
         $14::int[], $15::bigint[], $16::int[], $17::bigint[])
         AS v(dlq_topic, dlq_partition, dlq_offset, origin_topic, origin_partition, origin_offset,
           origin_ts, key, value, headers, service, error_class, error_message, attempts,
           failed_ms, replay_count, replay_of)
       LEFT JOIN dlq.dead_letters prev ON prev.id = v.replay_of
       ORDER BY v.dlq_topic, v.dlq_partition, v.dlq_offset
       ON CONFLICT ON CONSTRAINT dead_letters_record_unique DO NOTHING
       RETURNING id, origin_topic, service, error_class, replay_of`,
      [
        col((l) => l.dlqTopic),
        col((l) => l.dlqPartition),
        col((l) => l.dlqOffset),
        col((l) => l.originTopic),
        col((l) => l.originPartition),
        col((l) => l.originOffset),
        col((l) => l.originTimestampMs),
        col((l) => l.key),
        col((l) => l.value),
        col((l) => JSON.stringify(l.headers)),
        col((l) => l.service),
        col((l) => l.errorClass),
        col((l) => l.errorMessage),
        col((l) => l.attempts),
        col((l) => l.failedAtMs),
        col((l) => l.replayCount),
        col((l) => l.replayOf),
      ],
    );
  }

  /** A page in id order, newest first, strictly below `beforeId` when given. */
  async list(filter: DeadLetterFilter, limit: number, beforeId?: string): Promise<DeadLetterRow[]> {
    const { where, params } = filterSql(filter);
    const keyset = beforeId === undefined ? '' : ` AND id < $${params.length + 1}`;
    if (beforeId !== undefined) params.push(beforeId);
    params.push(limit);
    return this.db.query(
      `SELECT ${COLUMNS} FROM dlq.dead_letters WHERE ${where}${keyset}
       ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async get(id: string): Promise<DeadLetterRow | undefined> {
    const rows: DeadLetterRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM dlq.dead_letters WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async stats(): Promise<DeadLetterStats> {
    const groups: Array<{
      origin_topic: string;
      error_class: string | null;
      status: string;
      count: string;
    }> = await this.db.query(
      `SELECT origin_topic, error_class, status, count(*) AS count FROM dlq.dead_letters
         GROUP BY origin_topic, error_class, status ORDER BY origin_topic, error_class, status`,
    );
    const [oldest]: Array<{ age: number | null }> = await this.db.query(
      `SELECT EXTRACT(EPOCH FROM now() - min(last_failed_at))::float8 AS age
       FROM dlq.dead_letters WHERE status = 'new'`,
    );
    const byStatus: Record<string, number> = { new: 0, replayed: 0, discarded: 0 };
    let total = 0;
    for (const g of groups) {
      byStatus[g.status] = (byStatus[g.status] ?? 0) + Number(g.count);
      total += Number(g.count);
    }
    return {
      total,
      byStatus,
      groups: groups.map((g) => ({
        originTopic: g.origin_topic,
        errorClass: g.error_class,
        status: g.status,
        count: Number(g.count),
      })),
      oldestNewAgeSeconds:
        oldest?.age === null || oldest?.age === undefined ? null : Math.max(0, oldest.age),
    };
  }

  /** Counts by origin topic and status, for the `dlq_dead_letters` gauge. */
  async countsByTopicAndStatus(): Promise<Array<{ topic: string; status: string; count: number }>> {
    const rows: Array<{ origin_topic: string; status: string; count: string }> =
      await this.db.query(
        `SELECT origin_topic, status, count(*) AS count FROM dlq.dead_letters GROUP BY 1, 2`,
      );
    return rows.map((r) => ({ topic: r.origin_topic, status: r.status, count: Number(r.count) }));
  }
}
