import {
  createTestDatabase,
  startTestService,
  waitFor,
  type RunningTestService,
  type TestDatabase,
} from '@streamline/testing';
import { eventProducerService } from '../../src/event-producer.service';

/** A running event-producer with a fresh database, ready (Kafka and Postgres answered). */
export interface TestProducer {
  service: RunningTestService;
  baseUrl: string;
  database: TestDatabase;
  close(): Promise<void>;
}

/** Boots event-producer in-process on a new database; `ready: false` skips waiting for readiness. */
export async function bootEventProducer(
  env: Record<string, string> = {},
  options: { ready?: boolean } = {},
): Promise<TestProducer> {
  const database = await createTestDatabase();
  const service = await startTestService(eventProducerService, {
    DATABASE_URL: database.url,
    ...env,
  });
  try {
    if (options.ready !== false) {
      await waitFor(
        async () => ((await fetch(`${service.baseUrl}/health/ready`)).ok ? true : undefined),
        {
          timeoutMs: 45_000,
          what: 'event-producer ready',
        },
      );
    }
  } catch (error) {
    await service.close();
    await database.drop();
    throw error;
  }
  return {
    service,
    baseUrl: service.baseUrl,
    database,
    close: async () => {
      await service.close();
      await database.drop();
    },
  };
}

/** A parsed HTTP answer. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Sends a request and parses the JSON answer (if any). */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const hasBody = options.body !== undefined || options.raw !== undefined;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/** An event with a user id of the test's own. */
export function activity(
  userId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { userId, type: 'page_view', ts: Date.now(), properties: { path: '/home' }, ...extra };
}

/** Error bodies never carry a stack trace or a source path. */
export function expectNoStack(answer: Answer<unknown>): void {
  expect(answer.text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
}
