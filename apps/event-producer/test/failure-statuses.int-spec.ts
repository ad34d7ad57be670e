import { CLOSED_PORT, uniqueName, waitFor } from '@streamline/testing';
import {
  activity,
  bootEventProducer,
  call,
  expectNoStack,
  type TestProducer,
} from './support/event-producer-harness';

describe('event-producer when Kafka is unreachable', () => {
  let producer: TestProducer;

  beforeAll(async () => {
    producer = await bootEventProducer(
      { KAFKA_BROKERS: `127.0.0.1:${CLOSED_PORT}`, KAFKA_DELIVERY_TIMEOUT_MS: '1500' },
      { ready: false },
    );
    // Postgres is up (idempotency keys work) even though Kafka never will be.
    await waitFor(
      async () =>
        (await call(producer.baseUrl, 'GET', '/devices')).status === 200 ? true : undefined,
      { what: 'the device registry to answer' },
    );
  });

  afterAll(() => producer?.close());

  it('answers POST /events with 503, a reason and Retry-After once the delivery timeout passed (no hang)', async () => {
    const answer = await call(producer.baseUrl, 'POST', '/events', {
      body: activity(uniqueName('user')),
    });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ statusCode: 503, retryable: true });
    expect(String(answer.body['code'])).toMatch(/^KAFKA_/);
    expect(String(answer.body['message'])).toMatch(/1500 ms|Kafka/);
    expect(answer.headers.get('retry-after')).toBe('1');
    expectNoStack(answer);
  });

  it('answers the REST proxy with 503 as well', async () => {
    const answer = await call(producer.baseUrl, 'POST', '/topics/events.user-activity.v1/records', {
      body: {
        records: [
          {
            value: {
              eventId: '0b8f6b1e-2f5d-4c55-9a43-6f0e8a4f6a11',
              userId: 'u',
              type: 't',
              ts: Date.now(),
            },
          },
        ],
      },
    });
    expect(answer.status).toBe(503);
  });

  it('frees the Idempotency-Key of a request that failed, so the retry is not refused', async () => {
    const body = activity(uniqueName('user'));
    const headers = { 'idempotency-key': uniqueName('key') };
    const first = await call(producer.baseUrl, 'POST', '/events', { body, headers });
    const retry = await call(producer.baseUrl, 'POST', '/events', { body, headers });
    expect([first.status, retry.status]).toEqual([503, 503]);
    // Both attempts reached Kafka: the retry was neither refused as "in progress" nor a replay.
    expect(String(first.body['code'])).toMatch(/^KAFKA_/);
    expect(String(retry.body['code'])).toMatch(/^KAFKA_/);
  });
});

const CLIENT_A = 'client-a-issued-key-1';
const CLIENT_B = 'client-b-issued-key-2';

describe('event-producer rate limit', () => {
  let producer: TestProducer;

  beforeAll(async () => {
    producer = await bootEventProducer({
      RATE_LIMIT_MAX: '3',
      RATE_LIMIT_WINDOW_MS: '60000',
      API_KEYS: `${CLIENT_A},${CLIENT_B}`,
    });
  });

  afterAll(() => producer?.close());

  it('answers 429 with Retry-After past the budget of one client, and serves other clients and probes', async () => {
    const send = (apiKey: string) =>
      call(producer.baseUrl, 'GET', '/devices/none-such', { headers: { 'x-api-key': apiKey } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(CLIENT_A)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);

    const limited = await send(CLIENT_A);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', retryable: true });
    expectNoStack(limited);

    expect((await send(CLIENT_B)).status).toBe(404);
    for (let i = 0; i < 5; i++) {
      const probe = await call(producer.baseUrl, 'GET', '/health/live', {
        headers: { 'x-api-key': CLIENT_A },
      });
      expect(probe.status).toBe(200);
    }
  });

  it('keys anyone else on the socket address: neither an invented key nor a forged X-Forwarded-For resets the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await call(producer.baseUrl, 'GET', '/devices/none-such', {
        headers: { 'x-api-key': `invented-key-number-${i}`, 'x-forwarded-for': `203.0.113.${i}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const answer = await call(producer.baseUrl, 'GET', '/nowhere', {
      headers: { 'x-api-key': CLIENT_B },
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });
});
