import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { KafkaProducerService } from '@streamline/nest-messaging';
import { InjectConfig, ServiceError, validateRequest } from '@streamline/platform';
import type { DataSource, QueryRunner } from 'typeorm';
import { z } from 'zod';
import { DlqMetrics } from '../common/dlq.metrics';
import { deadLetterNotFound, DLQ_ERRORS } from '../common/dlq-errors';
import type { DlqHandlerConfig } from '../config/dlq-handler.config';
import { zodValidator } from '../dead-letters/dead-letter-query';
import type { DeadLetterRow } from '../dead-letters/dead-letter-row';
import { toDeadLetterItem, type DeadLetterItem } from '../dead-letters/dead-letter-view';
import { contractForReplay, correctedValueBytes } from './corrected-value';
import { buildReplayRecord, isReplayableTopic, replayTargetOf } from './replay-record';

const replayBodySchema = z
  .object({
    targetTopic: z.string().min(1).max(249).optional(),
    value: z.unknown().optional(),
  })
  .strict();

export interface ReplayAnswer {
  topic: string;
  partition: number;
  offset: string;
}

/** Refuses a replay the row does not allow: discarded, or replayed too often (the loop guard). */
export function assertReplayable(
  row: Pick<DeadLetterRow, 'id' | 'status' | 'replay_count'>,
  maxReplays: number,
): void {
  if (row.status === 'discarded') {
    throw new ServiceError(DLQ_ERRORS.DISCARDED, `dead letter ${row.id} was discarded`);
  }
  if (row.replay_count >= maxReplays) {
    throw new ServiceError(
      DLQ_ERRORS.REPLAY_LIMIT,
      `dead letter ${row.id} was replayed ${row.replay_count} time(s); the limit is ${maxReplays}`,
    );
  }
}

/** Replays one dead letter (optionally corrected, optionally elsewhere), and discards. */
@Injectable()
export class ReplayDeadLetterUseCase {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly producer: KafkaProducerService,
    @InjectConfig() private readonly config: DlqHandlerConfig,
    private readonly metrics: DlqMetrics,
  ) {}

  /**
   * The row is locked while its record is sent, so two concurrent replays of one dead letter
   * cannot both pass the loop guard; the audit row and the new status commit together.
   */
  async replay(id: string, body: unknown): Promise<ReplayAnswer> {
    const request = validateRequest(zodValidator(replayBodySchema), body ?? {});
    return this.inTransaction(async (tx) => {
      const row = await this.lockRow(tx, id);
      try {
        assertReplayable(row, this.config.DLQ_MAX_REPLAYS);
      } catch (error) {
        this.metrics.refused.inc({ reason: (error as ServiceError).code });
        throw error;
      }
      const target = this.targetOf(row, request.targetTopic);
      const corrected =
        'value' in request
          ? correctedValueBytes(contractForReplay(target, row), request.value)
          : undefined;
      const report = await this.producer.send(
        buildReplayRecord(row, target, corrected ? { correctedValue: corrected } : {}),
      );
      await tx.query(
        `UPDATE dlq.dead_letters SET status = 'replayed', replay_count = replay_count + 1 WHERE id = $1`,
        [id],
      );
      await tx.query(
        `INSERT INTO dlq.dead_letter_actions
           (dead_letter_id, action, target_topic, target_partition, target_offset, corrected_value)
         VALUES ($1, 'replayed', $2, $3, $4, $5)`,
        [id, target, report.partition, report.offset, corrected ?? null],
      );
      this.metrics.replayed.inc({ topic: target, mode: 'single' });
      return { topic: target, partition: report.partition, offset: report.offset };
    });
  }

  /** Marks a dead letter discarded (kept, with an audit row); discarding twice changes nothing. */
  async discard(id: string): Promise<DeadLetterItem> {
    return this.inTransaction(async (tx) => {
      const row = await this.lockRow(tx, id);
      if (row.status !== 'discarded') {
        await tx.query(`UPDATE dlq.dead_letters SET status = 'discarded' WHERE id = $1`, [id]);
        await tx.query(
          `INSERT INTO dlq.dead_letter_actions (dead_letter_id, action) VALUES ($1, 'discarded')`,
          [id],
        );
      }
      return toDeadLetterItem({ ...row, status: 'discarded' });
    });
  }

  private targetOf(row: DeadLetterRow, requested: string | undefined): string {
    const target = replayTargetOf(row, requested);
    if (target === undefined) {
      throw new ServiceError(
        DLQ_ERRORS.TARGET_REQUIRED,
        `the origin ${row.origin_topic} is not a Kafka topic: give targetTopic`,
        false,
        {
          issues: [
            { path: 'targetTopic', reason: 'required when the origin is not a Kafka topic' },
          ],
        },
      );
    }
    if (!isReplayableTopic(target)) {
      throw new ServiceError(DLQ_ERRORS.TARGET_INVALID, `cannot replay into ${target}`, false, {
        issues: [
          { path: 'targetTopic', reason: 'must be a Kafka topic, not a .retry or .dlq topic' },
        ],
      });
    }
    return target;
  }

  private async lockRow(tx: QueryRunner, id: string): Promise<DeadLetterRow> {
    const rows: DeadLetterRow[] = await tx.query(
      `SELECT * FROM dlq.dead_letters WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const row = rows[0];
    if (!row) throw deadLetterNotFound(id);
    return row;
  }

  private async inTransaction<T>(work: (tx: QueryRunner) => Promise<T>): Promise<T> {
    const tx = this.db.createQueryRunner();
    await tx.connect();
    await tx.startTransaction();
    try {
      const result = await work(tx);
      await tx.commitTransaction();
      return result;
    } catch (error) {
      await tx.rollbackTransaction();
      throw error;
    } finally {
      await tx.release();
    }
  }
}
