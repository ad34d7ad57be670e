import { randomUUID } from 'node:crypto';
import { HEADERS } from '@streamline/contracts';
import { uniqueName } from '@streamline/testing';
import type { Admin, Kafka } from 'kafkajs';
import {
  activity,
  bootEventProducer,
  call,
  expectNoStack,
  type TestProducer,
} from './support/event-producer-harness';
import { TopicTail, createTopic, javaPartitionOf, testKafka } from './support/kafka-tail';

const PARTITIONS = 6;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

interface EventReply {
  eventId: string;
  partition: number;
  offset: string;
  timestamp: number;
}

/** Two issued API keys: two clients connecting from the same address. */
const API_KEYS = ['alpha-client-key-0001', 'bravo-client-key-0002'];

describe('POST /events against real Kafka and Postgres', () => {
  let kafka: Kafka;
  let admin: Admin;
  let topic: string;
  let tail: TopicTail;
  let producer: TestProducer;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    topic = await createTopic(admin, PARTITIONS);
    tail = await TopicTail.start(kafka, admin, topic, 'beginning');
    producer = await bootEventProducer({ EVENTS_TOPIC: topic, API_KEYS: API_KEYS.join(',') });
  });

  afterAll(async () => {
    await producer?.close();
    await tail?.stop();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const post = (body: unknown, headers: Record<string, string> = {}, query = '') =>
    call(producer.baseUrl, 'POST', `/events${query}`, { body, headers });

  it('writes an acknowledged event with key userId, its murmur2 partition, contract headers and the normalised value', async () => {
    const userId = uniqueName('user');
    const sent = activity(userId, { ts: '2024-05-01T12:00:00.250Z' });
    const answer = await post(sent, { traceparent: TRACEPARENT });
    expect(answer.status).toBe(201);
    const reply = answer.body as unknown as EventReply;
    expect(reply.partition).toBe(javaPartitionOf(userId, PARTITIONS));

    const [record] = await tail.waitFor((r) => r.key === userId);
    expect(record).toMatchObject({ partition: reply.partition, offset: reply.offset, key: userId });
    expect(record?.headers).toEqual({
      [HEADERS.CONTENT_TYPE]: 'application/json',
      [HEADERS.SCHEMA]: 'user-activity/1',
      [HEADERS.TRACEPARENT]: TRACEPARENT,
    });
    expect(record?.value).toEqual({
      eventId: reply.eventId,
      userId,
      type: 'page_view',
      ts: Date.UTC(2024, 4, 1, 12, 0, 0, 250),
      properties: { path: '/home' },
    });
    expect(reply.timestamp).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps every event of a user in one partition, whatever the batch', async () => {
    const users = Array.from({ length: 8 }, () => uniqueName('user'));
    const batch = Array.from({ length: 120 }, (_, i) =>
      activity(users[i % users.length] as string),
    );
    const answer = await post(batch);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ accepted: 120, rejected: 0, failed: 0 });
    const records = await tail.waitFor((r) => users.includes(r.key ?? ''), 120);
    for (const user of users) {
      const partitions = new Set(records.filter((r) => r.key === user).map((r) => r.partition));
      expect([...partitions]).toEqual([javaPartitionOf(user, PARTITIONS)]);
    }
  });

  it('answers 202 at once with ack=none, and the event still arrives', async () => {
    const userId = uniqueName('user');
    const answer = await post(activity(userId), {}, '?ack=none');
    expect(answer.status).toBe(202);
    const { eventId } = answer.body as { eventId: string };
    const [record] = await tail.waitFor((r) => r.key === userId);
    expect((record?.value as { eventId: string }).eventId).toBe(eventId);
  });

  it('answers a mixed batch with 207 and writes only the valid events', async () => {
    const userId = uniqueName('user');
    const answer = await post([
      activity(userId),
      { userId, type: 'bad type!', ts: Date.now() },
      activity(userId),
    ]);
    expect(answer.status).toBe(207);
    const body = answer.body as {
      accepted: number;
      rejected: number;
      results: Array<Record<string, unknown>>;
    };
    expect(body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(body.results[1]).toMatchObject({
      index: 1,
      status: 400,
      path: '1.type',
      reason: expect.any(String),
    });
    for (const i of [0, 2]) {
      expect(body.results[i]).toMatchObject({
        index: i,
        status: 201,
        partition: javaPartitionOf(userId, PARTITIONS),
      });
    }
    await tail.waitFor((r) => r.key === userId, 2);
    // The sentinel shares the partition: once it is read, nothing of the batch can still arrive.
    const sentinel = await post(activity(userId, { type: 'sentinel' }));
    await tail.waitFor(
      (r) =>
        (r.value as { eventId?: string }).eventId ===
        (sentinel.body as { eventId: string }).eventId,
    );
    expect(tail.records.filter((r) => r.key === userId)).toHaveLength(3);
  });

  it.each([
    ['a single invalid event', { userId: 'u', type: 'click' }, '', 'ts'],
    ['a batch with no valid event', [{ type: 'click' }], '', '0.userId'],
    ['an unknown ack mode', activity('u'), '?ack=leader', 'query.ack'],
  ])('answers 400 with path and reason for %s', async (_name, body, query, path) => {
    const answer = await post(body, {}, query);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'VALIDATION_FAILED', retryable: false });
    const issues = (answer.body as { issues: Array<{ path: string; reason: string }> }).issues;
    expect(issues.map((i) => i.path)).toContain(path);
    expectNoStack(answer);
  });

  it('answers 413 for more than 500 events and for a body over 1 MiB, in the JSON error shape', async () => {
    const tooMany = await post(Array.from({ length: 501 }, () => activity('u')));
    expect(tooMany.status).toBe(413);
    expect(tooMany.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const padding = 'x'.repeat(1024 * 1024);
    const tooBig = await post(activity('u', { properties: { padding } }));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    const wayTooBig = await post(activity('u', { properties: { padding: padding.repeat(3) } }));
    expect(wayTooBig.status).toBe(413);
    expect(wayTooBig.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    expectNoStack(wayTooBig);
  });

  it.each([
    ['userId', 'a NUL', { userId: 'user\u0000admin' }],
    ['userId', 'a line feed', { userId: 'user\nINFO forged log line' }],
    ['userId', 'an escape', { userId: 'user\u001b[31m' }],
    ['type', 'a NUL', { type: 'click\u0000' }],
  ])('answers 400 naming %s when it holds %s', async (field, _what, fields) => {
    const answer = await post(activity('u', fields));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((answer.body as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toEqual([
      field,
    ]);
  });

  it('answers 415 for a body that is not application/json', async () => {
    const answer = await call(producer.baseUrl, 'POST', '/events', {
      raw: JSON.stringify(activity('u')),
      headers: { 'content-type': 'text/plain' },
    });
    expect(answer.status).toBe(415);
    expect(answer.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('sets security headers', async () => {
    const answer = await post(activity(uniqueName('user')));
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(answer.headers.get('strict-transport-security')).toContain('max-age=');
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same body and produces nothing again', async () => {
      const userId = uniqueName('user');
      const key = randomUUID();
      const body = [activity(userId), activity(userId)];
      const first = await post(body, { 'idempotency-key': key });
      const again = await post(body, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(first.headers.get('idempotent-replayed')).toBeNull();

      const sentinel = await post(activity(userId, { type: 'sentinel' }));
      await tail.waitFor(
        (r) =>
          (r.value as { eventId?: string }).eventId ===
          (sentinel.body as { eventId: string }).eventId,
      );
      expect(tail.records.filter((r) => r.key === userId)).toHaveLength(3);
    });

    it('scopes keys per client: two clients sending the same key are two requests', async () => {
      const key = randomUUID();
      const userId = uniqueName('user');
      const [alpha, bravo] = API_KEYS.map((apiKey) => ({
        'idempotency-key': key,
        'x-api-key': apiKey,
      }));
      const body = activity(userId);
      const fromAlpha = await post(body, alpha);
      // Same key and same body from another client: produced again, not alpha's stored reply.
      const fromBravo = await post(body, bravo);
      // Another body from a third client (its address): not refused as a reuse of the key.
      const fromAddress = await post(activity(userId, { type: 'other' }), {
        'idempotency-key': key,
      });
      expect([fromAlpha.status, fromBravo.status, fromAddress.status]).toEqual([201, 201, 201]);
      expect(fromBravo.headers.get('idempotent-replayed')).toBeNull();
      const ids = [fromAlpha, fromBravo, fromAddress].map(
        (a) => (a.body as { eventId: string }).eventId,
      );
      expect(new Set(ids).size).toBe(3);
      await tail.waitFor(() => tail.records.filter((r) => r.key === userId).length >= 3);
      expect(tail.records.filter((r) => r.key === userId)).toHaveLength(3);
      // Each client still gets its own reply back on retry.
      const alphaAgain = await post(body, alpha);
      expect(alphaAgain.headers.get('idempotent-replayed')).toBe('true');
      expect(alphaAgain.body).toEqual(fromAlpha.body);
    });

    it('answers 422 when the key comes back with another body', async () => {
      const key = randomUUID();
      expect((await post(activity(uniqueName('user')), { 'idempotency-key': key })).status).toBe(
        201,
      );
      const conflict = await post(activity(uniqueName('user')), { 'idempotency-key': key });
      expect(conflict.status).toBe(422);
      expect(conflict.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    });

    it('produces once when concurrent requests share a key (the others: 409 in progress, or the replay)', async () => {
      const userId = uniqueName('user');
      const key = randomUUID();
      const eventId = randomUUID();
      const body = activity(userId, { eventId });
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => post(body, { 'idempotency-key': key })),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      for (const busy of answers.filter((a) => a.status === 409)) {
        expect(busy.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS', retryable: true });
        expect(busy.headers.get('retry-after')).toBe('1');
      }
      const fresh = answers.filter(
        (a) => a.status === 201 && a.headers.get('idempotent-replayed') === null,
      );
      expect(fresh).toHaveLength(1);

      const sentinel = await post(activity(userId, { type: 'sentinel' }));
      await tail.waitFor(
        (r) =>
          (r.value as { eventId?: string }).eventId ===
          (sentinel.body as { eventId: string }).eventId,
      );
      expect(tail.withEventId(eventId)).toHaveLength(1);
    });

    it('answers 400 for a malformed key', async () => {
      const answer = await post(activity('u'), { 'idempotency-key': 'x'.repeat(300) });
      expect(answer.status).toBe(400);
      expect((answer.body as { issues: Array<{ path: string }> }).issues[0]?.path).toBe(
        'headers.idempotency-key',
      );
    });
  });

  it('documents its endpoints in /docs', async () => {
    const docs = await call<{ paths: Record<string, Record<string, unknown>> }>(
      producer.baseUrl,
      'GET',
      '/docs',
    );
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/events', '/topics/{topic}/records', '/devices', '/devices/{id}']),
    );
    expect(Object.keys(docs.body.paths['/devices/{id}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'patch',
      'put',
    ]);
    expect(JSON.stringify(docs.body.paths['/events'])).toContain('idempotency-key');
    // The list's paging (the platform's ApiKeysetPage): its parameters and the page it answers.
    const list = docs.body.paths['/devices']?.['get'] as {
      parameters: Array<{ name: string; in: string }>;
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
    };
    expect(list.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      'query:cursor',
      'query:limit',
    ]);
    const page = JSON.stringify(list.responses['200']?.content?.['application/json']?.schema);
    expect(page).toContain('"nextCursor"');
    expect(page).toContain('"items"');
  });

  it('exposes accepted and rejected counts per mode and the produce latency in /metrics', async () => {
    const text = await (await fetch(`${producer.baseUrl}/metrics`)).text();
    expect(text).toMatch(
      /^event_producer_records_total\{[^}]*endpoint="events"[^}]*mode="all"[^}]*result="accepted"[^}]*\} [1-9]/m,
    );
    expect(text).toMatch(
      /^event_producer_records_total\{[^}]*mode="none"[^}]*result="accepted"[^}]*\} [1-9]/m,
    );
    expect(text).toMatch(/^event_producer_records_total\{[^}]*result="rejected"[^}]*\} [1-9]/m);
    expect(text).toMatch(
      /^event_producer_produce_duration_seconds_count\{[^}]*mode="all"[^}]*\} [1-9]/m,
    );
  });
});
