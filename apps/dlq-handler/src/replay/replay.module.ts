import { Module } from '@nestjs/common';
import { DlqCommonModule } from '../common/dlq-common.module';
import { BulkReplayRunner } from './bulk-replay.runner';
import { BulkReplayUseCase } from './bulk-replay.use-case';
import { ReplayDeadLetterUseCase } from './replay-dead-letter.use-case';
import { ReplayWorker } from './replay-worker';
import { ReplaysController } from './replays.controller';
import { ReplaysRepository } from './replays.repository';

/** Single and bulk replays, discards, and the DLQ_REPLAY work-queue worker. */
@Module({
  imports: [DlqCommonModule],
  controllers: [ReplaysController],
  providers: [
    ReplaysRepository,
    ReplayDeadLetterUseCase,
    BulkReplayUseCase,
    BulkReplayRunner,
    ReplayWorker,
  ],
  exports: [ReplayDeadLetterUseCase],
})
export class ReplayModule {}
