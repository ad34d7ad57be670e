import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import type { BaseConfig } from './config/config.schema';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';

/** The plumbing every service imports first: config, JSON logs, health and metrics. */
@Module({})
export class PlatformModule {
  static forRoot(options: { service: string; version: string; config: BaseConfig }): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(options.config),
        LoggingModule.forRoot({ service: options.service, level: options.config.LOG_LEVEL }),
        HealthModule,
        MetricsModule.forRoot({ service: options.service, version: options.version }),
      ],
      exports: [ConfigModule, HealthModule, MetricsModule],
    };
  }
}
