import { Inject, Injectable } from '@nestjs/common';
import {
  deviceCreateInputContract,
  deviceIdSchema,
  deviceUpdateInputContract,
  defineContract,
  type Device,
} from '@streamline/contracts';
import { RequestValidationError, ServiceError } from '@streamline/platform';
import { validateContract } from '../common/contract-validation';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from './device-cursor';
import { DEVICES_REPOSITORY, type DevicesRepository } from './devices.repository';

export const DEVICE_ERRORS = {
  NOT_FOUND: 'DEVICE_NOT_FOUND',
  EXISTS: 'DEVICE_EXISTS',
} as const;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

const idParamContract = defineContract('registry.device.id', 1, z.object({ id: deviceIdSchema }));
const pageQueryContract = defineContract(
  'registry.device.page',
  1,
  z.object({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    cursor: z.string().min(1).max(1024).optional(),
  }),
);

/** A page of devices and the cursor of the next one (null on the last page). */
export interface DevicePage {
  items: Device[];
  nextCursor: string | null;
}

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
    const { limit, cursor } = validateContract(pageQueryContract, query, 'query');
    const afterId = cursor === undefined ? undefined : decodeCursor(cursor);
    // One more than asked tells whether another page exists without a COUNT.
    const rows = await this.devices.list(afterId, limit + 1);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
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
