import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { HEADERS } from '@streamline/contracts';
import { headerValue, readPartitionRanges, RetryableError } from '@streamline/messaging';
import { KAFKA_CLIENT, KafkaProducerService } from '@streamline/nest-messaging';
import { InjectConfig } from '@streamline/platform';
import type { Admin, Kafka } from 'kafkajs';
import { DlqMetrics } from '../common/dlq.metrics';
import type { DlqHandlerConfig } from '../config/dlq-handler.config';
import type { DeadLetterRow } from '../dead-letters/dead-letter-row';
import { buildReplayRecord, isReplayableTopic, replayTargetOf } from './replay-record';
import { ReplaysRepository, type ReplayRow, type SentItem } from './replays.repository';

/**
 * Runs one bulk replay to the end, exactly once per dead letter even across crashes and
 * instances. Each step claims a chunk in Postgres (with the target partitions' end offsets),
 * sends it, then records it as sent together with the dead letters' new status. After a crash
 * between the send and that record, `recover` reads the target partitions from the saved
 * offsets and counts what carries this replay's `dlq.replay-id` as sent; the rest is sent anew.
 * A Postgres advisory lock (released when its connection dies, so by kill -9 too) keeps a
 * second instance off a replay that is still running.
 */
@Injectable()
export class BulkReplayRunner implements OnModuleDestroy {
  private readonly logger = new Logger(BulkReplayRunner.name);
  /** This instance, as `dlq.replays.worker` names it. */
  readonly worker = `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
  /** One admin client for the end offsets of every step (connecting per step costs more than the step). */
  private admin: Admin | undefined;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly producer: KafkaProducerService,
    private readonly replays: ReplaysRepository,
    @InjectConfig() private readonly config: DlqHandlerConfig,
    private readonly metrics: DlqMetrics,
  ) {}

  async run(replayId: string): Promise<void> {
    const lock = this.replays.db.createQueryRunner();
    await lock.connect();
    try {
      const [got]: Array<{ locked: boolean }> = await lock.query(
        `SELECT pg_try_advisory_lock(hashtext('dlq.replay'), hashtext($1)) AS locked`,
        [replayId],
      );
      if (!got?.locked) {
        throw new RetryableError(
          'REPLAY_BUSY',
          `replay ${replayId} is running on another instance`,
        );
      }
      try {
        await this.runLocked(replayId);
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(hashtext('dlq.replay'), hashtext($1))`, [
          replayId,
        ]);
      }
    } finally {
      await lock.release();
    }
  }

  private async runLocked(replayId: string): Promise<void> {
    const replay = await this.replays.get(replayId);
    if (!replay) {
      this.logger.warn(`replay command for unknown replay ${replayId}; dropped`);
      return;
    }
    if (replay.status === 'completed' || replay.status === 'failed') return;
    await this.replays.markRunning(replayId, this.worker);
    if (replay.in_doubt) await this.recover(replay);
    for (;;) {
      const rows = await this.replays.nextCandidates(replay, this.config.DLQ_REPLAY_CHUNK);
      if (rows.length === 0) break;
      await this.step(replay, rows);
      if (this.config.DLQ_REPLAY_PAUSE_MS > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.config.DLQ_REPLAY_PAUSE_MS));
      }
    }
    await this.replays.finish(replayId, 'completed');
    this.logger.log(`replay ${replayId} completed`);
  }

  /** Claim, send, record: one chunk. */
  private async step(replay: ReplayRow, rows: readonly DeadLetterRow[]): Promise<void> {
    const claimed: Array<{ row: DeadLetterRow; topic: string }> = [];
    const skipped: string[] = [];
    for (const row of rows) {
      const topic = replayTargetOf(row, replay.target_topic ?? undefined);
      const ok =
        topic !== undefined &&
        isReplayableTopic(topic) &&
        row.replay_count < this.config.DLQ_MAX_REPLAYS;
      if (ok) claimed.push({ row, topic });
      else skipped.push(String(row.id));
    }
    const endOffsets = await this.endOffsets([...new Set(claimed.map((c) => c.topic))]);
    await this.replays.claim(
      replay.id,
      claimed.map((c) => ({ id: String(c.row.id), topic: c.topic })),
      skipped,
      endOffsets,
    );
    const reports = await Promise.all(
      claimed.map((c) =>
        this.producer.send(buildReplayRecord(c.row, c.topic, { replayId: replay.id })),
      ),
    );
    const sent: SentItem[] = reports.map((report, i) => ({
      deadLetterId: String(claimed[i]?.row.id),
      topic: report.topic,
      partition: report.partition,
      offset: report.offset,
    }));
    await this.replays.markSent(replay.id, sent);
    for (const item of sent) this.metrics.replayed.inc({ topic: item.topic, mode: 'bulk' });
    if (skipped.length > 0) this.metrics.refused.inc({ reason: 'bulk-skipped' }, skipped.length);
  }

  /** Settles the chunk a crash left in doubt: what reached Kafka is recorded as sent. */
  private async recover(replay: ReplayRow): Promise<void> {
    const claimed = await this.replays.claimedIds(replay.id);
    const found = new Map<string, SentItem>();
    if (claimed.size > 0 && replay.in_doubt) {
      const topics = [...new Set(replay.in_doubt.map((o) => o.topic))];
      const ends = new Map(
        (await this.endOffsets(topics)).map((o) => [`${o.topic}|${o.partition}`, o.offset]),
      );
      const ranges = replay.in_doubt.map((o) => ({
        topic: o.topic,
        partition: o.partition,
        fromOffset: o.offset,
        toOffset: ends.get(`${o.topic}|${o.partition}`) ?? o.offset,
      }));
      await readPartitionRanges(this.kafka, ranges, (topic, partition, message) => {
        if (headerValue(message.headers, HEADERS.DLQ_REPLAY_ID) !== replay.id) return;
        const id = headerValue(message.headers, HEADERS.DLQ_REPLAY_OF);
        if (id !== undefined && claimed.has(id)) {
          found.set(id, { deadLetterId: id, topic, partition, offset: message.offset });
        }
      });
    }
    this.logger.warn(
      `replay ${replay.id}: ${claimed.size} dead letter(s) in doubt after a restart, ${found.size} found written`,
    );
    await this.replays.markSent(replay.id, [...found.values()]);
  }

  private async endOffsets(
    topics: readonly string[],
  ): Promise<Array<{ topic: string; partition: number; offset: string }>> {
    if (topics.length === 0) return [];
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    const out: Array<{ topic: string; partition: number; offset: string }> = [];
    for (const topic of topics) {
      for (const p of await this.admin.fetchTopicOffsets(topic)) {
        out.push({ topic, partition: p.partition, offset: p.high });
      }
    }
    return out;
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin?.disconnect();
  }
}
