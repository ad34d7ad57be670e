import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ReadinessRegistry } from '../health/readiness.registry';

const RETRY_DELAY_MS = 2_000;

/**
 * Connects (and runs pending migrations) in the background so the service starts and
 * answers `/health/live` while Postgres is down; readiness stays 503 until it is up.
 */
@Injectable()
export class DatabaseConnector implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseConnector.name);
  private lastError = 'connecting';
  private stopped = false;
  /** TypeORM reports itself initialised before its migrations ran; ready means both. */
  private migrated = false;
  private connecting: Promise<void> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    registry: ReadinessRegistry,
  ) {
    registry.register({ name: 'postgres', check: () => this.check() });
  }

  onModuleInit(): void {
    this.connecting = this.connectWithRetry();
  }

  /** Resolves once connected and migrated (for tests and for code that must wait). */
  async ready(): Promise<void> {
    await this.connecting;
    if (!this.migrated) throw new Error(`postgres unavailable: ${this.lastError}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.connecting;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private async check(): Promise<void> {
    if (!this.dataSource.isInitialized || !this.migrated) {
      throw new Error(`not connected: ${this.lastError}`);
    }
    await this.dataSource.query('SELECT 1');
  }

  private async connectWithRetry(): Promise<void> {
    while (!this.stopped && !this.migrated) {
      try {
        await this.dataSource.initialize();
        this.migrated = true;
        this.logger.log('connected to postgres; migrations applied');
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          `postgres not available or migrations failed (${this.lastError}); retrying`,
        );
        // A failed migration leaves the data source connected: start the next attempt from scratch.
        if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS).unref());
      }
    }
  }
}
