import { Module } from '@nestjs/common';
import { DeadLettersRepository } from '../dead-letters/dead-letters.repository';
import { DlqMetrics } from './dlq.metrics';

/** The store's repository and the metrics, shared by the feature modules. */
@Module({
  providers: [DeadLettersRepository, DlqMetrics],
  exports: [DeadLettersRepository, DlqMetrics],
})
export class DlqCommonModule {}
