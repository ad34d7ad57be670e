import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { CdcSinkConfig } from '../config/cdc-sink.config';
import { createSinkPool, SINK_POOL } from './sink-pool';
import { SINK_CONCURRENCY, SinkRunnerService } from './sink-runner.service';

/** The Kafka → Postgres sink: change events and aggregates, rows and offsets in one transaction. */
@Global()
@Module({})
export class SinkModule {
  static register(config: CdcSinkConfig): DynamicModule {
    return {
      module: SinkModule,
      providers: [
        // One connection per concurrent partition, one for the alerts, one spare.
        {
          provide: SINK_POOL,
          useFactory: () => createSinkPool(config.DATABASE_URL, SINK_CONCURRENCY + 2),
        },
        SinkRunnerService,
      ],
      exports: [SINK_POOL],
    };
  }
}
