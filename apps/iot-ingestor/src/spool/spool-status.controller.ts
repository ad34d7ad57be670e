import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SPOOL_DRAINER, TELEMETRY_SPOOL } from './spool.tokens';
import type { SpoolDrainer } from './spool-drainer';
import type { TelemetrySpool } from './telemetry-spool';

/**
 * GET /status: what readiness does not say in spool mode. Readiness stays 200 while the spool
 * absorbs a Kafka outage (the ingestor still takes and keeps every reading); this tells that
 * Kafka is unreachable and how much waits for it.
 */
@ApiTags('status')
@Controller('status')
export class SpoolStatusController {
  constructor(
    @Inject(TELEMETRY_SPOOL) private readonly spool: TelemetrySpool,
    @Inject(SPOOL_DRAINER) private readonly drainer: SpoolDrainer,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Ingest mode, Kafka reachability and the local spool' })
  status() {
    const oldest = this.spool.oldestReceivedAt();
    return {
      mode: 'spool',
      kafka: {
        reachable: this.drainer.kafkaReachable,
        ...(this.drainer.kafkaFailure ? { lastFailure: this.drainer.kafkaFailure } : {}),
      },
      spool: {
        records: this.spool.depth,
        bytes: this.spool.size,
        oldestAgeSeconds: oldest === undefined ? 0 : (Date.now() - oldest) / 1000,
        maxRecords: this.spool.limits.maxRecords,
        maxBytes: this.spool.limits.maxBytes,
        full: this.spool.isFull(),
      },
    };
  }
}
