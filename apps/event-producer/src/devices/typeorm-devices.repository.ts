import { withDatabaseErrors } from '@streamline/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Device, DeviceCreate, DeviceUpdate, Thresholds } from '@streamline/contracts';
import { MoreThan, type DataSource, type Repository } from 'typeorm';
import { DeviceEntity } from './device.entity';
import type { DeviceFields, DevicesRepository } from './devices.repository';

/** A row as `RETURNING *` hands it over: column names, jsonb parsed, timestamptz as Date. */
interface DeviceRow {
  id: string;
  name: string;
  type: string;
  location: string | null;
  thresholds: Thresholds | null;
  created_at: Date;
  updated_at: Date;
}

/** `registry.devices` through TypeORM; each write is one statement, so no update is lost. */
@Injectable()
export class TypeOrmDevicesRepository implements DevicesRepository {
  private readonly devices: Repository<DeviceEntity>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.devices = dataSource.getRepository(DeviceEntity);
  }

  insert(device: DeviceCreate): Promise<Device | undefined> {
    return withDatabaseErrors(async () => {
      const result = await this.devices
        .createQueryBuilder()
        .insert()
        .values({
          id: device.id,
          name: device.name,
          type: device.type,
          location: device.location ?? null,
          thresholds: device.thresholds ?? null,
        })
        .orIgnore()
        .returning('*')
        .execute();
      const row = (result.raw as DeviceRow[])[0];
      return row === undefined ? undefined : fromRow(row);
    });
  }

  findById(id: string): Promise<Device | undefined> {
    return withDatabaseErrors(async () => {
      const entity = await this.devices.findOneBy({ id });
      return entity === null ? undefined : fromEntity(entity);
    });
  }

  list(afterId: string | undefined, limit: number): Promise<Device[]> {
    return withDatabaseErrors(async () => {
      const entities = await this.devices.find({
        where: afterId === undefined ? {} : { id: MoreThan(afterId) },
        order: { id: 'ASC' },
        take: limit,
      });
      return entities.map(fromEntity);
    });
  }

  replace(id: string, fields: DeviceFields): Promise<Device | undefined> {
    return this.update(id, {
      name: fields.name,
      type: fields.type,
      location: fields.location ?? null,
      thresholds: fields.thresholds ?? null,
    });
  }

  patch(id: string, changes: DeviceUpdate): Promise<Device | undefined> {
    const set: Partial<DeviceEntity> = {};
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.type !== undefined) set.type = changes.type;
    if (changes.location !== undefined) set.location = changes.location;
    if (changes.thresholds !== undefined) set.thresholds = changes.thresholds;
    return this.update(id, set);
  }

  delete(id: string): Promise<boolean> {
    return withDatabaseErrors(async () => {
      const result = await this.devices.delete({ id });
      return (result.affected ?? 0) > 0;
    });
  }

  private update(id: string, set: Partial<DeviceEntity>): Promise<Device | undefined> {
    return withDatabaseErrors(async () => {
      const result = await this.devices
        .createQueryBuilder()
        .update()
        .set(set)
        .where('id = :id', { id })
        .returning('*')
        .execute();
      const row = (result.raw as DeviceRow[])[0];
      return row === undefined ? undefined : fromRow(row);
    });
  }
}

function fromEntity(entity: DeviceEntity): Device {
  return fromRow({
    ...entity,
    created_at: entity.createdAt,
    updated_at: entity.updatedAt,
  });
}

/** The API's device: null columns left out, timestamps as epoch ms (the device contract). */
function fromRow(row: DeviceRow): Device {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    ...(row.location === null ? {} : { location: row.location }),
    ...(row.thresholds === null ? {} : { thresholds: row.thresholds }),
    createdAt: new Date(row.created_at).getTime(),
    updatedAt: new Date(row.updated_at).getTime(),
  };
}
