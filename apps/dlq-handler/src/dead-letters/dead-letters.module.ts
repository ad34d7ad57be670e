import { Module } from '@nestjs/common';
import { DlqCommonModule } from '../common/dlq-common.module';
import { ReplayModule } from '../replay/replay.module';
import { DeadLetterAnnouncer } from './dead-letter-announcer';
import { DeadLetterStoreService } from './dead-letter-store.service';
import { DeadLettersController } from './dead-letters.controller';
import { InspectDeadLettersUseCase } from './inspect-dead-letters.use-case';

/** The `.dlq` topics into Postgres, and the HTTP API over the store. */
@Module({
  imports: [DlqCommonModule, ReplayModule],
  controllers: [DeadLettersController],
  providers: [DeadLetterAnnouncer, DeadLetterStoreService, InspectDeadLettersUseCase],
})
export class DeadLettersModule {}
