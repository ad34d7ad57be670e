import { BadRequestException, Controller, Get, Param } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DEVICE_ID_PATTERN, rpcSubject } from '@streamline/contracts';
import { ERROR_BODY_SCHEMA } from '@streamline/platform';
import { AggregatorPipelineService, SERVICE_NAME } from '../pipeline/aggregator-pipeline.service';

/** NATS request-reply subjects of the queries (queue group `aggregator`). */
export const AGGREGATOR_RPC = {
  WINDOWS: rpcSubject(SERVICE_NAME, 'windows'),
  STATS: rpcSubject(SERVICE_NAME, 'stats'),
} as const;

const WINDOW_LIST_SCHEMA = {
  type: 'object',
  properties: {
    deviceId: { type: 'string' },
    open: {
      type: 'array',
      items: { type: 'object' },
      description: 'Open windows (1m and 5m) on this instance',
    },
    closed: {
      type: 'array',
      items: { type: 'object' },
      description: 'The last windows this instance closed',
    },
  },
} as const;

const STATS_SCHEMA = {
  type: 'object',
  properties: {
    partitions: { type: 'array', items: { type: 'object' } },
    openWindows: { type: 'integer' },
    openSessions: { type: 'integer' },
    lateCount: { type: 'integer' },
    stateSize: { type: 'integer', description: 'Open windows plus open sessions held in memory' },
    lastRestore: { type: 'object', nullable: true },
    devices: { type: 'integer', description: 'Rows of the device threshold table' },
    alerts: { type: 'object' },
  },
} as const;

/** What the aggregator holds: open windows per device, stream time per partition. */
@ApiTags('windows')
@Controller()
export class AggregatorQueriesController {
  constructor(private readonly pipeline: AggregatorPipelineService) {}

  @Get('windows/:deviceId')
  @ApiOperation({ summary: "A device's open windows and the last closed ones (this instance)" })
  @ApiParam({ name: 'deviceId', schema: { type: 'string', pattern: DEVICE_ID_PATTERN.source } })
  @ApiResponse({ status: 200, schema: WINDOW_LIST_SCHEMA })
  @ApiResponse({ status: 400, description: 'Not a device id', schema: ERROR_BODY_SCHEMA })
  windows(@Param('deviceId') deviceId: string) {
    if (!DEVICE_ID_PATTERN.test(deviceId)) {
      throw new BadRequestException(`deviceId must match ${DEVICE_ID_PATTERN.source}`);
    }
    return this.pipeline.engine.windowsOf(deviceId);
  }

  @Get('stats')
  @ApiOperation({
    summary: 'Stream time per partition, open windows, late count, state size, last restore',
  })
  @ApiResponse({ status: 200, schema: STATS_SCHEMA })
  stats() {
    const partitions = this.pipeline.engine.stats();
    const telemetry = this.pipeline.engine.telemetryTopic;
    const openWindows = partitions
      .filter((p) => p.topic === telemetry)
      .reduce((n, p) => n + p.open, 0);
    const openSessions = partitions
      .filter((p) => p.topic !== telemetry)
      .reduce((n, p) => n + p.open, 0);
    return {
      partitions,
      openWindows,
      openSessions,
      lateCount: this.pipeline.engine.lateCount,
      stateSize: openWindows + openSessions,
      lastRestore: this.pipeline.engine.lastRestore ?? null,
      devices: this.pipeline.table.size,
      alerts: {
        published: this.pipeline.alerts.published,
        duplicates: this.pipeline.alerts.duplicates,
      },
    };
  }

  @MessagePattern(AGGREGATOR_RPC.WINDOWS)
  windowsOverNats(@Payload() request: { deviceId?: unknown }) {
    const deviceId = typeof request?.deviceId === 'string' ? request.deviceId : '';
    if (!DEVICE_ID_PATTERN.test(deviceId))
      return { error: `deviceId must match ${DEVICE_ID_PATTERN.source}` };
    return this.pipeline.engine.windowsOf(deviceId);
  }

  @MessagePattern(AGGREGATOR_RPC.STATS)
  statsOverNats() {
    return this.stats();
  }
}
