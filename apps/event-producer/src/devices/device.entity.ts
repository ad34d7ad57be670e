import type { Thresholds } from '@streamline/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A row of `registry.devices`, the table Debezium captures. `updated_at` is kept by a trigger
 * (see the migration), so every writer bumps it, not only this service.
 */
@Entity({ schema: 'registry', name: 'devices' })
export class DeviceEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  type!: string;

  @Column('text', { nullable: true })
  location!: string | null;

  @Column('jsonb', { nullable: true })
  thresholds!: Thresholds | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
