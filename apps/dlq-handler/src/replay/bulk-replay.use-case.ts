import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JetStreamPublisher } from '@streamline/messaging';
import {
  DependencyUnavailableError,
  InjectConfig,
  ServiceError,
  validateRequest,
} from '@streamline/platform';
import { z } from 'zod';
import { DLQ_ERRORS } from '../common/dlq-errors';
import type { DlqHandlerConfig } from '../config/dlq-handler.config';
import { filterShape, toFilter, zodValidator } from '../dead-letters/dead-letter-query';
import type { DeadLetterFilter } from '../dead-letters/dead-letter-row';
import { replayCommandContract } from './replay-command';
import { isReplayableTopic } from './replay-record';
import { ReplaysRepository, type ReplayRow } from './replays.repository';

const bulkBodySchema = z
  .object({
    ...filterShape,
    status: z.enum(['new', 'replayed']).default('new'),
    targetTopic: z
      .string()
      .refine(isReplayableTopic, { message: 'must be a Kafka topic, not a .retry or .dlq topic' })
      .optional(),
    dryRun: z.boolean().default(false),
  })
  .strict();

export interface DryRunAnswer {
  dryRun: true;
  /** Dead letters the filter selects (discarded ones never are). */
  matched: number;
  /** Of those, what a replay would send. */
  replayable: number;
  /** Refused by the loop guard (replayed DLQ_MAX_REPLAYS times). */
  overLimit: number;
  /** mqtt: origins without a targetTopic. */
  noTarget: number;
}

export interface ReplayProgress {
  replayId: string;
  status: ReplayRow['status'];
  filter: DeadLetterFilter;
  targetTopic: string | null;
  matched: number;
  replayed: number;
  skipped: number;
  error: string | null;
  /** The instance that last ran it, and how many runs it took (more than one after a crash). */
  worker: string | null;
  runs: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * Bulk replays: a dry run counts; a real one is fixed to the dead letters that exist now (ids up
 * to the current maximum, so records that fail again during the replay are not taken again),
 * stored, and handed to the JetStream work queue, where exactly one instance runs it.
 */
@Injectable()
export class BulkReplayUseCase {
  constructor(
    private readonly replays: ReplaysRepository,
    private readonly publisher: JetStreamPublisher,
    @InjectConfig() private readonly config: DlqHandlerConfig,
  ) {}

  async start(body: unknown): Promise<DryRunAnswer | { replayId: string }> {
    const { dryRun, targetTopic, ...fields } = validateRequest(
      zodValidator(bulkBodySchema),
      body ?? {},
    );
    const filter = toFilter(fields);
    const maxId = await this.replays.maxDeadLetterId();
    const counts = await this.replays.count(
      filter,
      maxId,
      this.config.DLQ_MAX_REPLAYS,
      targetTopic !== undefined,
    );
    const replayable = counts.matched - counts.overLimit - counts.noTarget;
    if (dryRun) return { dryRun: true, ...counts, replayable: Math.max(0, replayable) };
    const replayId = randomUUID();
    await this.replays.create({
      id: replayId,
      filter,
      targetTopic,
      maxId,
      matched: counts.matched,
    });
    try {
      await this.publisher.publish(replayCommandContract, {
        subject: this.config.DLQ_REPLAY_SUBJECT,
        value: { replayId },
        msgId: replayId,
        expectStream: this.config.DLQ_REPLAY_STREAM,
      });
    } catch (error) {
      await this.replays.delete(replayId);
      throw new DependencyUnavailableError(
        DLQ_ERRORS.NATS_UNAVAILABLE,
        `the replay could not be queued: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return { replayId };
  }

  async progress(id: string): Promise<ReplayProgress> {
    const valid = z.uuid().safeParse(id);
    const row = valid.success ? await this.replays.get(id) : undefined;
    if (!row) throw new ServiceError(DLQ_ERRORS.REPLAY_NOT_FOUND, `no replay ${id}`);
    return {
      replayId: row.id,
      status: row.status,
      filter: row.filter,
      targetTopic: row.target_topic,
      matched: row.matched,
      replayed: row.replayed,
      skipped: row.skipped,
      error: row.error,
      worker: row.worker,
      runs: row.runs,
      createdAt: row.created_at.toISOString(),
      startedAt: row.started_at?.toISOString() ?? null,
      finishedAt: row.finished_at?.toISOString() ?? null,
    };
  }
}
