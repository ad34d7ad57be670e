import type { Device, DeviceCreate, DeviceUpdate } from '@streamline/contracts';

/** The fields a full replacement (PUT) writes; absent optional fields are cleared. */
export type DeviceFields = Omit<DeviceCreate, 'id'>;

/** Devices as the use cases see them; Postgres in the service, a map in unit tests. */
export interface DevicesRepository {
  /** Inserts a new device; undefined when the id is taken. */
  insert(device: DeviceCreate): Promise<Device | undefined>;
  findById(id: string): Promise<Device | undefined>;
  /** Up to `limit` devices with ids after `afterId`, in id order. */
  list(afterId: string | undefined, limit: number): Promise<Device[]>;
  /** Replaces every field of an existing device; undefined when there is none. */
  replace(id: string, fields: DeviceFields): Promise<Device | undefined>;
  /** Changes the given fields (`null` clears); undefined when there is no such device. */
  patch(id: string, changes: DeviceUpdate): Promise<Device | undefined>;
  /** Whether a device was deleted. */
  delete(id: string): Promise<boolean>;
}

export const DEVICES_REPOSITORY = Symbol('DEVICES_REPOSITORY');
