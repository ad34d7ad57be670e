import { Module } from '@nestjs/common';
import { AggregatorQueriesController } from '../queries/aggregator-queries.controller';
import { AggregatorMetrics } from './aggregator.metrics';
import { AggregatorPipelineService } from './aggregator-pipeline.service';

/** The stream processor, its device table and alerts, its queries and metrics. */
@Module({
  controllers: [AggregatorQueriesController],
  providers: [AggregatorPipelineService, AggregatorMetrics],
})
export class AggregatorModule {}
