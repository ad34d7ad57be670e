import type { ServiceConfig, ServiceDefinition } from '@streamline/platform';
import { Client } from 'pg';
import type { z } from 'zod';
import { waitFor } from '../infra/wait-for';
import { startTestService, type RunningTestService } from './test-service';

interface ReadyBody {
  status: 'ok' | 'error';
  info?: Record<string, { status: string }>;
  error?: Record<string, { status: string; message?: string }>;
}

/** Per-test environment, e.g. a fresh database; `cleanup` runs after the suite. */
export interface SuiteEnvironment {
  env: Record<string, string>;
  cleanup?: () => Promise<void>;
}

export interface PlatformEndpointsOptions {
  /** Every dependency `/health/ready` must report, e.g. `['kafka', 'postgres']`. */
  dependencies: string[];
  environment?: () => Promise<SuiteEnvironment>;
  /** One dependency made unreachable (a wrong port) to prove readiness turns 503 and names it. */
  unreachable: { dependency: string; env: (env: Record<string, string>) => Record<string, string> };
  /** The Postgres schema the service's migrations must have created, if it owns one. */
  ownsSchema?: string;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

/**
 * The platform contract every service keeps (ARCHITECTURE.md "Services"): live, ready
 * against its real brokers, Prometheus metrics, its OpenAPI document, and a 503 that
 * names the dependency that is down.
 */
export function describePlatformEndpoints<S extends z.ZodType<ServiceConfig>>(
  definition: ServiceDefinition<S>,
  options: PlatformEndpointsOptions,
): void {
  describe(`${definition.name} platform endpoints (real infrastructure)`, () => {
    let environment: SuiteEnvironment = { env: {} };
    let service: RunningTestService;

    beforeAll(async () => {
      environment = (await options.environment?.()) ?? { env: {} };
      service = await startTestService(definition, environment.env);
    });

    afterAll(async () => {
      await service?.close();
      await environment.cleanup?.();
    });

    it('answers /health/live', async () => {
      const { status, body } = await getJson<{ status: string }>(`${service.baseUrl}/health/live`);
      expect(status).toBe(200);
      expect(body.status).toBe('ok');
    });

    it(`is ready once ${options.dependencies.join(', ')} answer`, async () => {
      const ready = await waitFor(
        async () => {
          const result = await getJson<ReadyBody>(`${service.baseUrl}/health/ready`);
          return result.status === 200 ? result.body : undefined;
        },
        { timeoutMs: 45_000, what: `${definition.name} /health/ready 200` },
      );
      expect(ready.status).toBe('ok');
      expect(Object.keys(ready.info ?? {}).sort()).toEqual([...options.dependencies].sort());
    });

    if (options.ownsSchema) {
      const schema = options.ownsSchema;
      it(`ran its migrations: schema ${schema} exists`, async () => {
        const client = new Client({ connectionString: environment.env['DATABASE_URL'] });
        await client.connect();
        try {
          const result = await client.query(
            'SELECT schema_name FROM information_schema.schemata WHERE schema_name = $1',
            [schema],
          );
          expect(result.rowCount).toBe(1);
        } finally {
          await client.end();
        }
      });
    }

    it('serves Prometheus metrics: process, service_info and HTTP durations', async () => {
      await fetch(`${service.baseUrl}/health/live`);
      const response = await fetch(`${service.baseUrl}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toMatch(/^process_cpu_user_seconds_total\{[^}]*service="[^"]+"[^}]*\} \d/m);
      expect(text).toContain(`service="${definition.name}"`);
      expect(text).toMatch(/^service_info\{[^}]*version="[^"]+"/m);
      expect(text).toMatch(
        /^http_server_request_duration_seconds_count\{[^}]*route="\/health\/live"[^}]*\} [1-9]/m,
      );
    });

    it('serves its OpenAPI document at /docs', async () => {
      const { status, body } = await getJson<{
        openapi: string;
        info: { title: string };
        paths: Record<string, unknown>;
      }>(`${service.baseUrl}/docs`);
      expect(status).toBe(200);
      expect(body.openapi).toMatch(/^3\./);
      expect(body.info.title).toBe(definition.name);
      expect(Object.keys(body.paths)).toEqual(
        expect.arrayContaining(['/health/live', '/health/ready']),
      );
    });

    it(`answers 503 naming ${options.unreachable.dependency} when it is unreachable`, async () => {
      const broken = await startTestService(definition, options.unreachable.env(environment.env));
      try {
        const body = await waitFor(
          async () => {
            const result = await getJson<ReadyBody>(`${broken.baseUrl}/health/ready`);
            return result.status === 503 ? result.body : undefined;
          },
          { timeoutMs: 30_000, what: 'readiness 503' },
        );
        expect(body.status).toBe('error');
        expect(body.error?.[options.unreachable.dependency]?.status).toBe('down');
        expect(body.error?.[options.unreachable.dependency]?.message).toEqual(expect.any(String));
      } finally {
        await broken.close();
      }
    });
  });
}
