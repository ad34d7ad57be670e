import { Global, Module } from '@nestjs/common';
import { IngestMetrics } from './ingest.metrics';

/** What every part of the ingestor shares: its metrics. */
@Global()
@Module({ providers: [IngestMetrics], exports: [IngestMetrics] })
export class IngestCommonModule {}
