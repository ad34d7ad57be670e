import fc from 'fast-check';
import type { Admin, Kafka } from 'kafkajs';
import {
  activity,
  bootEventProducer,
  call,
  type TestProducer,
} from './support/event-producer-harness';
import { createTopic, testKafka } from './support/kafka-tail';

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/vnd.kafka.json.v2+json',
  'application/merge-patch+json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
];

const printable = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });

/** JSON that looks like the contracts (right field names, wrong or right values) and anything else. */
const jsonBody = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      eventId: fc.oneof(fc.uuid(), fc.jsonValue()),
      userId: fc.oneof(fc.string(), fc.jsonValue()),
      type: fc.oneof(fc.constantFrom('click', 'page_view'), fc.string()),
      ts: fc.oneof(
        fc.integer(),
        fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
        fc.jsonValue(),
      ),
      properties: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
  fc.array(
    fc.record({ userId: fc.string(), type: fc.string(), ts: fc.integer() }, { requiredKeys: [] }),
    { maxLength: 5 },
  ),
  fc.record(
    {
      records: fc.array(
        fc.record(
          {
            key: fc.jsonValue(),
            value: fc.jsonValue(),
            headers: fc.dictionary(fc.string(), fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      id: fc.string(),
      name: fc.jsonValue(),
      type: fc.string(),
      location: fc.jsonValue(),
      thresholds: fc.dictionary(fc.string(), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
);

const request = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'PATCH', 'GET', 'DELETE'),
  path: fc.oneof(
    fc.constantFrom(
      '/events',
      '/events?ack=none',
      '/events?ack=all',
      '/devices',
      '/topics/events.user-activity.v1/records',
      '/topics/iot.telemetry.v1/records',
    ),
    printable(40).map((s) => `/events?ack=${encodeURIComponent(s)}`),
    printable(40).map((s) => `/devices/${encodeURIComponent(s)}`),
    printable(40).map((s) => `/topics/${encodeURIComponent(s)}/records`),
    fc
      .tuple(printable(6), printable(30))
      .map(([l, c]) => `/devices?limit=${encodeURIComponent(l)}&cursor=${encodeURIComponent(c)}`),
  ),
  body: fc.oneof(
    jsonBody.map((b) => JSON.stringify(b)),
    printable(200),
    fc.constant(undefined),
  ),
  contentType: fc.option(fc.oneof(fc.constantFrom(...CONTENT_TYPES), printable(40)), {
    nil: undefined,
  }),
  idempotencyKey: fc.option(printable(300), { nil: undefined }),
  traceparent: fc.option(printable(60), { nil: undefined }),
});

describe('event-producer under random input (property)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let topic: string;
  let producer: TestProducer;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    topic = await createTopic(admin, 3);
    producer = await bootEventProducer({ EVENTS_TOPIC: topic, RATE_LIMIT_MAX: '1000000' });
  });

  afterAll(async () => {
    await producer?.close();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('answers thousands of random requests with a status below 500 and never a stack trace', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
        if (r.traceparent !== undefined) headers['traceparent'] = r.traceparent;
        const withBody = r.method !== 'GET' && r.method !== 'DELETE' && r.body !== undefined;
        const answer = await call(producer.baseUrl, r.method, r.path, {
          ...(withBody ? { raw: r.body } : {}),
          headers,
        });
        seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
        expect(answer.status).toBeLessThan(500);
        expect(answer.text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
      }),
      { numRuns: 2_500 },
    );
    // The run reached the validators, not only the router: 4xx of several kinds were answered.
    expect([...seen.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
  }, 90_000);

  it('answers JSON nested far too deep with 400, not a stack overflow', async () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const events = await call(producer.baseUrl, 'POST', '/events', {
      raw: `{"userId":"u","type":"t","ts":1714564800000,"properties":{"x":${deep}}}`,
    });
    expect(events.status).toBe(400);
    const devices = await call(producer.baseUrl, 'POST', '/devices', {
      raw: `{"id":"d","name":"n","type":"t","thresholds":${deep}}`,
    });
    expect(devices.status).toBe(400);
  });

  it('is still ready and accepting events afterwards', async () => {
    expect((await fetch(`${producer.baseUrl}/health/ready`)).status).toBe(200);
    expect(
      (await call(producer.baseUrl, 'POST', '/events', { body: activity('after-the-storm') }))
        .status,
    ).toBe(201);
  });
});
