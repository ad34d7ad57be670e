import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { APP_CONFIG } from '../config/config.module';
import type { BaseConfig } from '../config/config.schema';
import { withTimeout } from '../util/with-timeout';
import { ReadinessRegistry } from './readiness.registry';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process runs and its event loop answers.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: every broker and database this service uses answered (503 names the one that did not).',
  })
  ready(): Promise<HealthCheckResult> {
    const checks = this.registry
      .list()
      .map((dependency) => () => this.probe(dependency.name, () => dependency.check()));
    if (this.registry.isDraining()) {
      checks.push(async () =>
        this.indicators.check('lifecycle').down({ message: 'shutting down' }),
      );
    }
    return this.health.check(checks);
  }

  private async probe(name: string, check: () => Promise<void>): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(name);
    try {
      await withTimeout(check(), this.config.READINESS_TIMEOUT_MS, `${name} did not answer`);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
