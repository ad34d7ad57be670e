import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { KAFKA_CLIENT, nestMessagingLogger } from '@streamline/nest-messaging';
import { TransactionalSinkConsumer } from '@streamline/messaging';
import { DatabaseConnector, InjectConfig, ReadinessRegistry } from '@streamline/platform';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { CdcSinkConfig } from '../config/cdc-sink.config';
import { OFFSETS_TABLE, sinkTopics } from './sink-tables';
import { SINK_POOL } from './sink-pool';

/** Partitions written at the same time, each in its own transaction on its own connection. */
export const SINK_CONCURRENCY = 4;

/**
 * Runs the transactional sink: starts once migrations ran, reports `sink` not-ready while the
 * database refuses writes (the consumer is paused then), and stops before the pool closes.
 */
@Injectable()
export class SinkRunnerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SinkRunnerService.name);
  private readonly consumer: TransactionalSinkConsumer;
  private started = false;
  private stopped = false;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(SINK_POOL) private readonly pool: Pool,
    @InjectConfig() config: CdcSinkConfig,
    // DatabaseModule does not export its connector globally: found across modules at bootstrap.
    private readonly modules: ModuleRef,
    registry: ReadinessRegistry,
  ) {
    this.consumer = new TransactionalSinkConsumer({
      kafka,
      pool,
      groupId: config.CDC_SINK_GROUP_ID,
      service: 'cdc-sink',
      logger: nestMessagingLogger('cdc-sink'),
      offsetsTable: OFFSETS_TABLE,
      topics: sinkTopics(config),
      maxBatchRecords: config.CDC_SINK_BATCH_RECORDS,
      minBatchBytes: config.CDC_SINK_BATCH_MIN_BYTES,
      maxBatchDelayMs: config.CDC_SINK_BATCH_DELAY_MS,
      partitionsConsumedConcurrently: SINK_CONCURRENCY,
      synchronousCommit: config.CDC_SINK_SYNCHRONOUS_COMMIT === 'on',
      afterDatabaseCommit: config.CDC_SINK_CRASH_AFTER_DB_COMMIT ? crashAfterRows : undefined,
    });
    registry.register({
      name: 'sink',
      check: async () => {
        if (!this.started) throw new Error('sink consumer not started (waiting for migrations)');
        if (!this.consumer.storeAvailable) throw new Error('database refuses writes: sink paused');
      },
    });
  }

  onApplicationBootstrap(): void {
    void this.startWhenMigrated();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.consumer.stop();
    await this.pool.end();
  }

  private async startWhenMigrated(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.modules.get(DatabaseConnector, { strict: false }).ready();
        if (this.stopped) return;
        await this.consumer.start();
        this.started = true;
        return;
      } catch (error: unknown) {
        this.logger.warn(
          `sink not started yet: ${error instanceof Error ? error.message : String(error)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 2_000).unref());
      }
    }
  }
}

/** The kill -9 test hook: dies right after the first transaction that wrote rows committed. */
function crashAfterRows(committed: { records: number }): void {
  if (committed.records > 0) process.kill(process.pid, 'SIGKILL');
}
