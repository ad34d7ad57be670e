import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  deviceContract,
  deviceCreateInputContract,
  deviceUpdateInputContract,
  type Device,
} from '@streamline/contracts';
import {
  AcceptContentTypes,
  ApiKeysetPage,
  ERROR_BODY_SCHEMA,
  schemaOf,
} from '@streamline/platform';
import type { FastifyReply } from 'fastify';
import { ManageDevicesUseCase, type DevicePage } from './manage-devices.use-case';

const MERGE_PATCH = 'application/merge-patch+json';
const deviceSchema = schemaOf(deviceContract, 'output');

/** The device registry (`registry.devices`), captured by Debezium into `cdc.registry.devices`. */
@ApiTags('devices')
@ApiResponse({
  status: 400,
  description: 'Invalid body, id or query; `issues` name each path and reason.',
  schema: ERROR_BODY_SCHEMA,
})
@Controller('devices')
export class DevicesController {
  constructor(private readonly devices: ManageDevicesUseCase) {}

  @Post()
  @AcceptContentTypes('application/json')
  @ApiOperation({ summary: 'Register a device' })
  @ApiBody({ schema: schemaOf(deviceCreateInputContract, 'input') })
  @ApiResponse({
    status: 201,
    description: 'Created; `Location: /devices/<id>`.',
    schema: deviceSchema,
  })
  @ApiResponse({
    status: 409,
    description: 'A device with this id exists.',
    schema: ERROR_BODY_SCHEMA,
  })
  async create(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const device = await this.devices.create(body);
    void reply
      .status(201)
      .header('location', `/devices/${encodeURIComponent(device.id)}`)
      .send(device);
  }

  @Get()
  @ApiOperation({
    summary: 'List devices, a page at a time',
    description: `Keyset pagination in id order: pass the \`nextCursor\` of a page as \`cursor\` to get the next; it is null on the last page. Stable while devices are added or removed.`,
  })
  @ApiKeysetPage(deviceSchema)
  list(@Query() query: Record<string, unknown>): Promise<DevicePage> {
    return this.devices.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a device' })
  @ApiResponse({ status: 200, schema: deviceSchema })
  @ApiResponse({ status: 404, description: 'No such device.', schema: ERROR_BODY_SCHEMA })
  get(@Param('id') id: string): Promise<Device> {
    return this.devices.get(id);
  }

  @Put(':id')
  @AcceptContentTypes('application/json')
  @ApiOperation({
    summary: 'Replace a device',
    description:
      'Every field is replaced; omitted optional fields (location, thresholds) are cleared. The body id may be left out; if given it must equal the path id. PUT does not create: POST does.',
  })
  @ApiBody({ schema: schemaOf(deviceCreateInputContract, 'input') })
  @ApiResponse({ status: 200, schema: deviceSchema })
  @ApiResponse({ status: 404, description: 'No such device.', schema: ERROR_BODY_SCHEMA })
  replace(@Param('id') id: string, @Body() body: unknown): Promise<Device> {
    return this.devices.replace(id, body);
  }

  @Patch(':id')
  @AcceptContentTypes('application/json', MERGE_PATCH)
  @ApiOperation({
    summary: 'Change some fields of a device',
    description:
      'JSON merge patch: given fields change, `null` clears location or thresholds, others stay. `thresholds` is replaced as a whole.',
  })
  @ApiBody({ schema: schemaOf(deviceUpdateInputContract, 'input') })
  @ApiResponse({ status: 200, schema: deviceSchema })
  @ApiResponse({ status: 404, description: 'No such device.', schema: ERROR_BODY_SCHEMA })
  patch(@Param('id') id: string, @Body() body: unknown): Promise<Device> {
    return this.devices.patch(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a device' })
  @ApiResponse({ status: 204, description: 'Deleted.' })
  @ApiResponse({ status: 404, description: 'No such device.', schema: ERROR_BODY_SCHEMA })
  async delete(@Param('id') id: string): Promise<void> {
    await this.devices.delete(id);
  }
}
