import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { JetStreamPublisher } from '@streamline/messaging';
import { KAFKA_CLIENT, nestMessagingLogger } from '@streamline/nest-messaging';
import { APP_CONFIG } from '@streamline/platform';
import type { Kafka } from 'kafkajs';
import { AlertPublisher } from '../alerts/alert-publisher';
import { DeviceThresholdTable } from '../alerts/device-thresholds.table';
import type { AggregatorConfig } from '../config/aggregator.config';
import type { AggregatorEngine } from './aggregator-engine';
import { engineFromConfig } from './engine-from-config';

export const SERVICE_NAME = 'aggregator';

/** Runs the stream processor and the device table for the service's lifetime. */
@Injectable()
export class AggregatorPipelineService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AggregatorPipelineService.name);
  readonly engine: AggregatorEngine;
  readonly table: DeviceThresholdTable;
  readonly alerts: AlertPublisher;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(APP_CONFIG) config: AggregatorConfig,
    jetstream: JetStreamPublisher,
  ) {
    const log = nestMessagingLogger(SERVICE_NAME);
    this.table = new DeviceThresholdTable(
      kafka,
      config.AGG_DEVICES_TOPIC,
      config.AGG_GROUP_ID,
      log,
    );
    this.alerts = new AlertPublisher(jetstream, this.table, {
      stream: config.AGG_ALERTS_STREAM,
      subjectPrefix: config.AGG_ALERTS_SUBJECT_PREFIX,
      defaults: config.AGG_DEFAULT_THRESHOLDS,
    });
    this.engine = engineFromConfig(SERVICE_NAME, kafka, config, log, (windows) =>
      this.alerts.publishFor(windows),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.table.start();
    await this.engine.start();
    this.logger.log('aggregating');
  }

  async onModuleDestroy(): Promise<void> {
    await this.engine.stop();
    await this.table.stop();
  }
}
