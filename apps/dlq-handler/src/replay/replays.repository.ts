import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  filterSql,
  type DeadLetterFilter,
  type DeadLetterRow,
} from '../dead-letters/dead-letter-row';

/** A `dlq.replays` row. */
export interface ReplayRow {
  id: string;
  filter: DeadLetterFilter;
  target_topic: string | null;
  max_dead_letter_id: string;
  status: 'pending' | 'running' | 'completed' | 'failed';
  matched: number;
  replayed: number;
  skipped: number;
  /** Per target partition, its end offset before the chunk in doubt was sent. */
  in_doubt: Array<{ topic: string; partition: number; offset: string }> | null;
  error: string | null;
  runs: number;
  /** The instance that last ran it. */
  worker: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** A dead letter a bulk replay wrote, and where. */
export interface SentItem {
  deadLetterId: string;
  topic: string;
  partition: number;
  offset: string;
}

export interface ReplayCounts {
  matched: number;
  overLimit: number;
  noTarget: number;
}

/** `dlq.replays` and `dlq.replay_items`: bulk replays and their per-row progress. */
@Injectable()
export class ReplaysRepository {
  constructor(@InjectDataSource() readonly db: DataSource) {}

  /** What a bulk replay with this filter would take, up to `maxId`. */
  async count(
    filter: DeadLetterFilter,
    maxId: string,
    maxReplays: number,
    hasTarget: boolean,
  ): Promise<ReplayCounts> {
    const { where, params } = filterSql(filter, 4);
    const [row]: Array<{ matched: string; over_limit: string; no_target: string }> =
      await this.db.query(
        `SELECT count(*) AS matched,
           count(*) FILTER (WHERE replay_count >= $2) AS over_limit,
           count(*) FILTER (WHERE NOT $3 AND origin_topic LIKE 'mqtt:%') AS no_target
         FROM dlq.dead_letters
         WHERE id <= $1 AND status <> 'discarded' AND ${where}`,
        [maxId, maxReplays, hasTarget, ...params],
      );
    return {
      matched: Number(row?.matched ?? 0),
      overLimit: Number(row?.over_limit ?? 0),
      noTarget: Number(row?.no_target ?? 0),
    };
  }

  async maxDeadLetterId(): Promise<string> {
    const [row]: Array<{ max: string | null }> = await this.db.query(
      'SELECT max(id) AS max FROM dlq.dead_letters',
    );
    return String(row?.max ?? 0);
  }

  async create(replay: {
    id: string;
    filter: DeadLetterFilter;
    targetTopic: string | undefined;
    maxId: string;
    matched: number;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO dlq.replays (id, filter, target_topic, max_dead_letter_id, status, matched)
       VALUES ($1, $2, $3, $4, 'pending', $5)`,
      [
        replay.id,
        JSON.stringify(replay.filter),
        replay.targetTopic ?? null,
        replay.maxId,
        replay.matched,
      ],
    );
  }

  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM dlq.replays WHERE id = $1', [id]);
  }

  async get(id: string): Promise<ReplayRow | undefined> {
    const rows: ReplayRow[] = await this.db.query('SELECT * FROM dlq.replays WHERE id = $1', [id]);
    return rows[0];
  }

  async markRunning(id: string, worker: string): Promise<void> {
    await this.db.query(
      `UPDATE dlq.replays SET status = 'running', runs = runs + 1, worker = $2,
         started_at = coalesce(started_at, now()) WHERE id = $1`,
      [id, worker],
    );
  }

  async finish(id: string, status: 'completed' | 'failed', error?: string): Promise<void> {
    await this.db.query(
      `UPDATE dlq.replays SET status = $2, error = $3, finished_at = now() WHERE id = $1`,
      [id, status, error ?? null],
    );
  }

  /** The next dead letters of a replay that it has not taken yet, in id order. */
  async nextCandidates(replay: ReplayRow, limit: number): Promise<DeadLetterRow[]> {
    const { where, params } = filterSql(replay.filter, 4);
    return this.db.query(
      `SELECT d.* FROM dlq.dead_letters d
       WHERE d.id <= $2 AND d.status <> 'discarded' AND ${where}
         AND NOT EXISTS (SELECT 1 FROM dlq.replay_items i
                         WHERE i.replay_id = $1 AND i.dead_letter_id = d.id)
       ORDER BY d.id LIMIT $3`,
      [replay.id, replay.max_dead_letter_id, limit, ...params],
    );
  }

  /**
   * Claims a chunk before it is sent, in one transaction: the rows to send (`claimed`), the rows
   * refused (`skipped`), and the end offsets of the target partitions, so that after a crash the
   * records of the chunk already written can be found and not sent twice.
   */
  async claim(
    replayId: string,
    claimed: ReadonlyArray<{ id: string; topic: string }>,
    skipped: readonly string[],
    endOffsets: NonNullable<ReplayRow['in_doubt']>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO dlq.replay_items (replay_id, dead_letter_id, state, target_topic)
         SELECT $1, c.id, 'claimed', c.topic FROM unnest($2::bigint[], $3::text[]) AS c(id, topic)`,
        [replayId, claimed.map((c) => c.id), claimed.map((c) => c.topic)],
      );
      await tx.query(
        `INSERT INTO dlq.replay_items (replay_id, dead_letter_id, state)
         SELECT $1, s.id, 'skipped' FROM unnest($2::bigint[]) AS s(id)`,
        [replayId, skipped],
      );
      await tx.query(`UPDATE dlq.replays SET in_doubt = $2, skipped = skipped + $3 WHERE id = $1`, [
        replayId,
        claimed.length > 0 ? JSON.stringify(endOffsets) : null,
        skipped.length,
      ]);
    });
  }

  /** Records sent items and marks their dead letters replayed, with audit rows, in one transaction. */
  async markSent(replayId: string, sent: readonly SentItem[]): Promise<void> {
    await this.db.transaction(async (tx: EntityManager) => {
      if (sent.length > 0) {
        const ids = sent.map((s) => s.deadLetterId);
        await tx.query(
          `UPDATE dlq.replay_items i SET state = 'sent', target_topic = s.topic,
             target_partition = s.partition, target_offset = s.off
           FROM unnest($2::bigint[], $3::text[], $4::int[], $5::bigint[]) AS s(id, topic, partition, off)
           WHERE i.replay_id = $1 AND i.dead_letter_id = s.id AND i.state = 'claimed'`,
          [
            replayId,
            ids,
            sent.map((s) => s.topic),
            sent.map((s) => s.partition),
            sent.map((s) => s.offset),
          ],
        );
        await tx.query(
          `UPDATE dlq.dead_letters SET status = 'replayed', replay_count = replay_count + 1
           WHERE id = ANY($1::bigint[])`,
          [ids],
        );
        await tx.query(
          `INSERT INTO dlq.dead_letter_actions
             (dead_letter_id, action, replay_id, target_topic, target_partition, target_offset)
           SELECT s.id, 'replayed', $1, s.topic, s.partition, s.off
           FROM unnest($2::bigint[], $3::text[], $4::int[], $5::bigint[]) AS s(id, topic, partition, off)`,
          [
            replayId,
            ids,
            sent.map((s) => s.topic),
            sent.map((s) => s.partition),
            sent.map((s) => s.offset),
          ],
        );
      }
      // Claims not sent (found missing after a crash) go back to the pool of candidates.
      await tx.query(`DELETE FROM dlq.replay_items WHERE replay_id = $1 AND state = 'claimed'`, [
        replayId,
      ]);
      await tx.query(
        `UPDATE dlq.replays SET replayed = replayed + $2, in_doubt = NULL WHERE id = $1`,
        [replayId, sent.length],
      );
    });
  }

  /** Ids of the dead letters a replay claimed but has not recorded as sent. */
  async claimedIds(replayId: string): Promise<Set<string>> {
    const rows: Array<{ dead_letter_id: string }> = await this.db.query(
      `SELECT dead_letter_id FROM dlq.replay_items WHERE replay_id = $1 AND state = 'claimed'`,
      [replayId],
    );
    return new Set(rows.map((r) => String(r.dead_letter_id)));
  }
}
