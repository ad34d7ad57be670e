import { join } from 'node:path';
import {
  Global,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { KafkaProducerService } from '@streamline/nest-messaging';
import { ReadinessRegistry } from '@streamline/platform';
import { IngestMetrics } from '../common/ingest.metrics';
import { SERVICE_NAME } from '../common/service-name';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';
import { PRODUCE_RETRY_BACKOFF } from '../telemetry/ingest-settings';
import { SpoolDrainer } from './spool-drainer';
import { trackSpool } from './spool.metrics';
import { SpoolStatusController } from './spool-status.controller';
import { SPOOL_DRAINER, TELEMETRY_SPOOL } from './spool.tokens';
import { TelemetrySpool } from './telemetry-spool';

/** Records the drainer hands to the producer at once (one linger batch or a few). */
const DRAIN_BATCH = 2_000;

/** The spool of one instance: `<SPOOL_DIR>/<MQTT_CLIENT_ID>`, never shared by two instances. */
export function spoolPathOf(
  config: Pick<IotIngestorConfig, 'SPOOL_DIR' | 'MQTT_CLIENT_ID'>,
): string {
  return join(config.SPOOL_DIR, config.MQTT_CLIENT_ID);
}

/**
 * Starts the drainer at boot and stops it (then closes the spool) after the MQTT subscribers
 * stopped. Kafka's readiness check answers from the spool here: the ingestor is ready while
 * the spool can take readings, whether or not Kafka answers (GET /status tells that).
 */
@Injectable()
class SpoolLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(TELEMETRY_SPOOL) private readonly spool: TelemetrySpool,
    @Inject(SPOOL_DRAINER) private readonly drainer: SpoolDrainer,
    private readonly registry: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    trackSpool(this.spool, this.drainer);
    const kafka = this.registry.list().find((check) => check.name === 'kafka');
    if (kafka) {
      kafka.check = async () => {
        if (this.spool.isFull() && !this.drainer.kafkaReachable) {
          throw new Error('Kafka unreachable and the spool is full');
        }
      };
    }
    this.drainer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drainer.stop();
    await this.spool.close();
  }
}

@Global()
@Module({})
class SpoolModule {}

/** Spool mode (INGEST_MODE=spool): the local write-ahead spool between MQTT and Kafka. */
export function spoolModule(config: IotIngestorConfig): DynamicModule {
  return {
    module: SpoolModule,
    controllers: [SpoolStatusController],
    providers: [
      {
        provide: TELEMETRY_SPOOL,
        useFactory: () =>
          TelemetrySpool.open(spoolPathOf(config), {
            maxBytes: config.SPOOL_MAX_BYTES,
            maxRecords: config.SPOOL_MAX_READINGS,
          }),
      },
      {
        provide: SPOOL_DRAINER,
        inject: [TELEMETRY_SPOOL, KafkaProducerService, IngestMetrics],
        useFactory: (
          spool: TelemetrySpool,
          producer: KafkaProducerService,
          metrics: IngestMetrics,
        ) =>
          new SpoolDrainer(spool, producer, metrics, {
            service: SERVICE_NAME,
            dlqTopic: config.TELEMETRY_DLQ_TOPIC,
            maxDlqValueBytes: config.DLQ_MAX_VALUE_BYTES,
            batchSize: DRAIN_BATCH,
            backoff: PRODUCE_RETRY_BACKOFF,
          }),
      },
      SpoolLifecycle,
    ],
    exports: [TELEMETRY_SPOOL],
  };
}
