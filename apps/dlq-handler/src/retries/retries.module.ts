import { Module } from '@nestjs/common';
import { DlqCommonModule } from '../common/dlq-common.module';
import { RetryForwardingService } from './retry-forwarding.service';

/** Every `.retry` topic served by the library's RetryForwarder. */
@Module({
  imports: [DlqCommonModule],
  providers: [RetryForwardingService],
})
export class RetriesModule {}
