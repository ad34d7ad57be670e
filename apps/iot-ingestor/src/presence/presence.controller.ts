import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { devicePresenceContract, type DevicePresence } from '@streamline/contracts';
import { ERROR_BODY_SCHEMA, RequestValidationError, schemaOf } from '@streamline/platform';
import { QueryPresenceUseCase } from './query-presence.use-case';

const presenceSchema = schemaOf(devicePresenceContract, 'output');

/** Device presence from NATS KV `device-presence`, kept by status messages and telemetry. */
@ApiTags('presence')
@ApiResponse({
  status: 503,
  description: 'NATS did not answer; retry later (`Retry-After`).',
  schema: ERROR_BODY_SCHEMA,
})
@Controller('devices')
export class PresenceController {
  constructor(private readonly presence: QueryPresenceUseCase) {}

  @Get('presence')
  @ApiOperation({
    summary: 'List device presence',
    description:
      'Every device the ingestor has heard of, in id order: `online`/`offline` from its status messages (birth message, Last Will) and `lastSeen` (epoch ms) refreshed by its telemetry.',
  })
  @ApiQuery({
    name: 'online',
    required: false,
    enum: ['true', 'false'],
    description: '`true`: only online devices; `false`: only offline ones; absent: all.',
  })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      required: ['devices'],
      properties: { devices: { type: 'array', items: presenceSchema } },
    },
  })
  @ApiResponse({
    status: 400,
    description: '`online` is neither true nor false.',
    schema: ERROR_BODY_SCHEMA,
  })
  async list(@Query('online') online?: string): Promise<{ devices: DevicePresence[] }> {
    return { devices: await this.presence.list(parseOnline(online)) };
  }

  @Get(':id/presence')
  @ApiOperation({ summary: "A device's presence" })
  @ApiParam({ name: 'id', description: 'Device id: 1-128 of A-Z, a-z, 0-9, "_", "-"' })
  @ApiResponse({ status: 200, schema: presenceSchema })
  @ApiResponse({ status: 400, description: 'Not a device id.', schema: ERROR_BODY_SCHEMA })
  @ApiResponse({
    status: 404,
    description: 'The ingestor never heard of this device.',
    schema: ERROR_BODY_SCHEMA,
  })
  async get(@Param('id') id: string): Promise<DevicePresence> {
    return this.presence.get(id);
  }
}

function parseOnline(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new RequestValidationError([{ path: 'online', reason: 'must be true or false' }]);
}
