import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import pino from 'pino';
import type { z } from 'zod';
import { loadConfig } from '../config/load-config';
import type { ServiceConfig } from '../config/config.schema';
import { ReadinessRegistry } from '../health/readiness.registry';
import { pinoOptions } from '../logging/pino-options';
import { instrumentHttp } from '../metrics/http-metrics';
import { serveOpenApi } from './openapi';
import type { ServiceDefinition } from './service-definition';

/** Request bodies above this are refused with 413 before any handler runs. */
const BODY_LIMIT_BYTES = 1024 * 1024 + 64 * 1024;

/** Creates the Nest application on Fastify for an already validated configuration. */
export async function createServiceApp<S extends z.ZodType<ServiceConfig>>(
  definition: ServiceDefinition<S>,
  config: z.output<S>,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    definition.module(config),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: config.HTTP_TRUST_PROXY }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  instrumentHttp(app.getHttpAdapter().getInstance(), { version: definition.version });
  serveOpenApi(app, {
    title: definition.name,
    description: definition.description,
    version: definition.version,
  });
  if (definition.connect) {
    definition.connect(app, config);
    await app.startAllMicroservices();
  }
  return app;
}

/**
 * Shuts down in the order that loses nothing: readiness turns 503, consumers stop and
 * finish in-flight work (onModuleDestroy), the HTTP server drains, then connections close
 * (onApplicationShutdown). A hard deadline exits 1 if something hangs.
 */
export async function shutdownService(
  app: NestFastifyApplication,
  timeoutMs: number,
  log: Pick<pino.Logger, 'info' | 'error'>,
): Promise<number> {
  app.get(ReadinessRegistry).markDraining();
  const deadline = setTimeout(() => {
    log.error({ timeoutMs }, 'graceful shutdown timed out; exiting');
    process.exit(1);
  }, timeoutMs);
  deadline.unref();
  try {
    await app.close();
    log.info('shutdown complete');
    return 0;
  } catch (error) {
    log.error({ err: error }, 'shutdown failed');
    return 1;
  } finally {
    clearTimeout(deadline);
  }
}

/**
 * Entry point of every service: validates the environment once (a bad value exits 1
 * naming the variable), starts the HTTP server and handles SIGTERM/SIGINT.
 */
export async function runService<S extends z.ZodType<ServiceConfig>>(
  definition: ServiceDefinition<S>,
): Promise<void> {
  // Until the configuration is valid there is no LOG_LEVEL to honour; fatal lines always print.
  const log = pino(pinoOptions(definition.name, 'info'));
  let config: z.output<S>;
  try {
    config = loadConfig(definition.configSchema);
  } catch (error) {
    log.fatal(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  log.level = config.LOG_LEVEL;

  let app: NestFastifyApplication;
  try {
    app = await createServiceApp(definition, config);
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    log.fatal({ err: error }, `${definition.name} failed to start`);
    process.exit(1);
  }
  log.info({ url: await app.getUrl() }, `${definition.name} listening`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void shutdownService(app, config.SHUTDOWN_TIMEOUT_MS, log).then((code) => process.exit(code));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
