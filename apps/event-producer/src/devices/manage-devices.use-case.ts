import { Inject, Injectable } from '@nestjs/common';
import {
  deviceCreateInputContract,
  deviceIdSchema,
  deviceUpdateInputContract,
  defineContract,
  isSafeDeviceId,
  type Device,
} from '@streamline/contracts';
import {
  KeysetCursor,
  pageLimitSchema,
  RequestValidationError,
  ServiceError,
  type KeysetPage,
} from '@streamline/platform';
import { validateContract } from '../common/contract-validation';
import { z } from 'zod';
import { DEVICES_REPOSITORY, type DevicesRepository } from './devices.repository';

export const DEVICE_ERRORS = {
  NOT_FOUND: 'DEVICE_NOT_FOUND',
  EXISTS: 'DEVICE_EXISTS',
} as const;

/** Pages of devices in id order: the cursor carries the last id of a page. */
export const DEVICE_PAGES = new KeysetCursor('GET /devices', isSafeDeviceId);

const idParamContract = defineContract('registry.device.id', 1, z.object({ id: deviceIdSchema }));
const pageQueryContract = defineContract(
  'registry.device.page',
  1,
  z.object({ limit: pageLimitSchema, cursor: DEVICE_PAGES.schema.optional() }),
);

/** A page of devices and the cursor of the next one (null on the last page). */
export type DevicePage = KeysetPage<Device>;

/** The device registry: create, read, list, replace, patch and delete, with 404/409 semantics. */
@Injectable()
export class ManageDevicesUseCase {
  constructor(@Inject(DEVICES_REPOSITORY) private readonly devices: DevicesRepository) {}

  /** Creates a device; 409 when the id exists. */
  async create(body: unknown): Promise<Device> {
    const input = validateContract(deviceCreateInputContract, body);
    const created = await this.devices.insert(input);
    if (created === undefined) {
      throw new ServiceError(DEVICE_ERRORS.EXISTS, `device "${input.id}" already exists`);
    }
    return created;
  }

  async get(id: string): Promise<Device> {
    return this.found(id, await this.devices.findById(this.checkId(id)));
  }

  /** A page in id order (keyset pagination, stable while devices are added or removed). */
  async list(query: unknown): Promise<DevicePage> {
    const { limit, cursor: afterId } = validateContract(pageQueryContract, query, 'query');
    const rows = await this.devices.list(afterId, limit + 1);
    return DEVICE_PAGES.page(rows, limit, (device) => device.id);
  }

  /** PUT: replaces every field of an existing device (omitted optional fields are cleared). */
  async replace(id: string, body: unknown): Promise<Device> {
    this.checkId(id);
    const withId = isObject(body) && body['id'] === undefined ? { ...body, id } : body;
    const input = validateContract(deviceCreateInputContract, withId);
    if (input.id !== id) {
      throw new RequestValidationError([
        { path: 'id', reason: `must be "${id}" (the path id) or be left out`, code: 'custom' },
      ]);
    }
    const { id: _id, ...fields } = input;
    return this.found(id, await this.devices.replace(id, fields));
  }

  /** PATCH: changes only the given fields; `null` clears location or thresholds. */
  async patch(id: string, body: unknown): Promise<Device> {
    this.checkId(id);
    const changes = validateContract(deviceUpdateInputContract, body);
    return this.found(id, await this.devices.patch(id, changes));
  }

  async delete(id: string): Promise<void> {
    if (!(await this.devices.delete(this.checkId(id)))) throw this.notFound(id);
  }

  private checkId(id: string): string {
    return validateContract(idParamContract, { id }, 'params').id;
  }

  private found(id: string, device: Device | undefined): Device {
    if (device === undefined) throw this.notFound(id);
    return device;
  }

  private notFound(id: string): ServiceError {
    return new ServiceError(DEVICE_ERRORS.NOT_FOUND, `device "${id}" does not exist`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
