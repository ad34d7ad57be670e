import { Module } from '@nestjs/common';
import { DevicesController } from './devices.controller';
import { DEVICES_REPOSITORY } from './devices.repository';
import { ManageDevicesUseCase } from './manage-devices.use-case';
import { TypeOrmDevicesRepository } from './typeorm-devices.repository';

/** The device registry over HTTP, stored in Postgres. */
@Module({
  controllers: [DevicesController],
  providers: [
    ManageDevicesUseCase,
    { provide: DEVICES_REPOSITORY, useClass: TypeOrmDevicesRepository },
  ],
})
export class DevicesModule {}
