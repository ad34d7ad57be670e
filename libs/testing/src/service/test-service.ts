import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createServiceApp,
  loadConfig,
  type ServiceConfig,
  type ServiceDefinition,
} from '@streamline/platform';
import type { z } from 'zod';

export interface RunningTestService {
  app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Boots a service in-process exactly as main.ts does (same definition, same config
 * validation) on a free port, with `env` overriding the defaults.
 */
export async function startTestService<S extends z.ZodType<ServiceConfig>>(
  definition: ServiceDefinition<S>,
  env: Record<string, string> = {},
): Promise<RunningTestService> {
  const config = loadConfig(definition.configSchema, {
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const app = await createServiceApp(definition, config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string')
    throw new Error('service did not bind a TCP port');
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: () => app.close(),
  };
}
