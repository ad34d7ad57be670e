import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { HttpPlumbingModule } from './http-plumbing.module';
import { AcceptContentTypes, MaxBodyBytes } from './request-guards';
import { ServiceError } from './service-error';

@Controller()
class ProbeController {
  @Post('echo')
  @AcceptContentTypes('application/json', 'application/vnd.test+json')
  @MaxBodyBytes(64)
  echo(@Body() body: unknown): unknown {
    return { body };
  }

  @Get('missing')
  missing(): never {
    throw new ServiceError('THING_NOT_FOUND', 'thing 7 does not exist');
  }

  @Get('bug')
  bug(): never {
    throw new Error('secret connection string postgres://u:p@db');
  }

  @Get('database-down')
  databaseDown(): never {
    // What TypeORM throws when Postgres went away under a repository that did not translate it.
    throw new QueryFailedError(
      'SELECT 1',
      [],
      Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      }),
    );
  }

  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({
  imports: [
    HttpPlumbingModule.forRoot({
      errorStatuses: { THING_NOT_FOUND: 404 },
      rateLimit: {
        max: 3,
        windowMs: 60_000,
        keyHeader: 'x-api-key',
        apiKeys: Array.from({ length: 50 }, (_, i) => `client-${i + 1}`),
      },
      jsonMediaTypes: ['application/vnd.test+json'],
    }),
  ],
  controllers: [ProbeController],
})
class ProbeModule {}

describe('HttpPlumbingModule on a real Fastify adapter', () => {
  let app: NestFastifyApplication;
  let fastify: FastifyInstance;
  let client = 0;
  // Each test is its own client, so the rate limit of one never spills into another.
  const nextKey = () => `client-${++client}`;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(
      ProbeModule,
      new FastifyAdapter({ bodyLimit: 1024 }),
      { logger: false },
    );
    await app.init();
    fastify = app.getHttpAdapter().getInstance();
    await fastify.ready();
  });

  afterAll(() => app.close());

  it('maps a service error code to its status with the JSON error body and no stack', async () => {
    const res = await fastify.inject({ url: '/missing', headers: { 'x-api-key': nextKey() } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'THING_NOT_FOUND',
      message: 'thing 7 does not exist',
      retryable: false,
    });
  });

  it('answers an unexpected error with a generic 500 that leaks nothing', async () => {
    const res = await fastify.inject({ url: '/bug', headers: { 'x-api-key': nextKey() } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'INTERNAL' });
    expect(res.body).not.toMatch(/postgres|secret|at .*\.ts/);
  });

  it('answers a database outage with a retryable 503 in any service, naming no internals', async () => {
    const res = await fastify.inject({
      url: '/database-down',
      headers: { 'x-api-key': nextKey() },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE', retryable: true });
  });

  it('answers an unknown route with the same JSON shape', async () => {
    const res = await fastify.inject({ url: '/nowhere', headers: { 'x-api-key': nextKey() } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('refuses a body above the endpoint limit with 413 and above the server limit too', async () => {
    const key = nextKey();
    const overEndpoint = await fastify.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      payload: JSON.stringify({ text: 'x'.repeat(100) }),
    });
    expect(overEndpoint.statusCode).toBe(413);
    expect(overEndpoint.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const overServer = await fastify.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      payload: JSON.stringify({ text: 'x'.repeat(5000) }),
    });
    expect(overServer.statusCode).toBe(413);
    expect(overServer.json()).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers malformed JSON with a 400 that says so', async () => {
    const res = await fastify.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json', 'x-api-key': nextKey() },
      payload: '{"a":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BAD_REQUEST', retryable: false });
    expect(res.json().message).toMatch(/JSON/);
  });

  it('accepts the declared media types (extra JSON types parsed) and refuses others with 415', async () => {
    const key = nextKey();
    const vendor = await fastify.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/vnd.test+json; charset=utf-8', 'x-api-key': key },
      payload: '{"a":1}',
    });
    expect(vendor.statusCode).toBe(201);
    expect(vendor.json()).toEqual({ body: { a: 1 } });
    const text = await fastify.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/plain', 'x-api-key': key },
      payload: '{"a":1}',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('sets security headers on every response', async () => {
    const res = await fastify.inject({ url: '/missing', headers: { 'x-api-key': nextKey() } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('rate limits per client with 429 and Retry-After, leaving other clients and /health alone', async () => {
    const key = nextKey();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fastify.inject({ url: '/missing', headers: { 'x-api-key': key } });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    const limited = await fastify.inject({ url: '/missing', headers: { 'x-api-key': key } });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(limited.headers['x-content-type-options']).toBe('nosniff');

    const other = await fastify.inject({ url: '/missing', headers: { 'x-api-key': nextKey() } });
    expect(other.statusCode).toBe(404);
    for (let i = 0; i < 5; i++) {
      const health = await fastify.inject({ url: '/health/live', headers: { 'x-api-key': key } });
      expect(health.statusCode).toBe(200);
    }
  });

  it('keys the limit on what the server can vouch for: an invented API key or a forged X-Forwarded-For changes nothing', async () => {
    // One client address (the socket's peer); trustProxy is off, so X-Forwarded-For is not believed.
    const from = (headers: Record<string, string>) =>
      fastify
        .inject({ url: '/missing', remoteAddress: '10.9.8.7', headers: { ...headers } })
        .then((res) => res.statusCode);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push(await from({ 'x-api-key': `invented-${i}` }));
    statuses.push(await from({ 'x-forwarded-for': '203.0.113.99' }));
    statuses.push(await from({ 'x-api-key': 'invented-9', 'x-forwarded-for': '198.51.100.1' }));
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    // An issued key is its own client, wherever it connects from.
    expect(await from({ 'x-api-key': nextKey() })).toBe(404);
  });
});
