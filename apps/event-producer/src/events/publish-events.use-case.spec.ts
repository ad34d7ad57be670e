import { userActivityContract } from '@streamline/contracts';
import { PayloadTooLargeError, RequestValidationError, ServiceError } from '@streamline/platform';
import {
  FakePublisher,
  InMemoryIdempotencyStore,
  fakeMetrics,
  idempotencyOver,
} from '../test-support/fakes';
import { PublishEventsUseCase } from './publish-events.use-case';

const TOPIC = 'events.test';
const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function event(userId = 'u-1', extra: Record<string, unknown> = {}) {
  return { userId, type: 'click', ts: '2024-05-01T12:00:00Z', ...extra };
}

describe('PublishEventsUseCase', () => {
  let publisher: FakePublisher;
  let store: InMemoryIdempotencyStore;
  let metrics: ReturnType<typeof fakeMetrics>;
  let useCase: PublishEventsUseCase;

  beforeEach(() => {
    publisher = new FakePublisher();
    store = new InMemoryIdempotencyStore();
    metrics = fakeMetrics();
    useCase = new PublishEventsUseCase(publisher, idempotencyOver(store), metrics, {
      EVENTS_TOPIC: TOPIC,
    });
  });

  it('produces one event keyed by userId with the contract, normalised, and answers 201 with its offset', async () => {
    const reply = await useCase.execute({
      client: 'ip:127.0.0.1',
      body: event(),
      mode: 'all',
      traceparent: TRACE,
    });
    expect(reply.status).toBe(201);
    const [record] = publisher.published;
    expect(record).toMatchObject({
      topic: TOPIC,
      contract: userActivityContract,
      key: 'u-1',
      traceparent: TRACE,
      value: { userId: 'u-1', type: 'click', ts: Date.UTC(2024, 4, 1, 12) },
    });
    const eventId = (record?.value as { eventId: string }).eventId;
    expect(eventId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(reply.body).toEqual({
      eventId,
      partition: 2,
      offset: '100',
      timestamp: 1_700_000_000_000,
    });
    expect(metrics.counts['events/all/accepted']).toBe(1);
  });

  it('keeps an eventId the client gave (lower-cased, the dedup key downstream)', async () => {
    const id = 'A1B2C3D4-0000-4000-8000-000000000001';
    await useCase.execute({
      client: 'ip:127.0.0.1',
      body: event('u-1', { eventId: id }),
      mode: 'all',
    });
    expect((publisher.published[0]?.value as { eventId: string }).eventId).toBe(id.toLowerCase());
  });

  it('hands events over without waiting with ack=none: 202', async () => {
    const reply = await useCase.execute({
      client: 'ip:127.0.0.1',
      body: [event('a'), event('b')],
      mode: 'none',
    });
    expect(reply.status).toBe(202);
    expect(publisher.published).toHaveLength(0);
    expect(publisher.forgotten.map((r) => r.key)).toEqual(['a', 'b']);
    expect(reply.body).toMatchObject({ accepted: 2, results: [{ status: 202 }, { status: 202 }] });
    expect(metrics.counts['events/none/accepted']).toBe(2);
  });

  it('answers a mixed batch with 207: offsets for the valid, index, path and reason for the others', async () => {
    const reply = await useCase.execute({
      client: 'ip:127.0.0.1',
      body: [event('a'), { userId: 'b', type: 'click' }, event('c')],
      mode: 'all',
    });
    expect(reply.status).toBe(207);
    expect(publisher.published.map((r) => r.key)).toEqual(['a', 'c']);
    expect(reply.body).toMatchObject({
      accepted: 2,
      rejected: 1,
      failed: 0,
      results: [
        { index: 0, status: 201, partition: 2, offset: '100' },
        { index: 1, status: 400, path: '1.ts', reason: expect.stringContaining('required') },
        { index: 2, status: 201, partition: 2, offset: '101' },
      ],
    });
    expect(metrics.counts['events/all/rejected']).toBe(1);
  });

  it('refuses a single invalid event with 400 naming the field', async () => {
    const error = await useCase
      .execute({
        client: 'ip:127.0.0.1',
        body: { userId: 'has space', type: 'click', ts: 1 },
        mode: 'all',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestValidationError);
    const paths = (error as RequestValidationError).issues?.map((i) => i.path).sort();
    expect(paths).toEqual(['ts', 'userId']);
    expect(publisher.published).toHaveLength(0);
  });

  it('refuses a batch with no valid event with 400 and indexed paths', async () => {
    const error = await useCase
      .execute({
        client: 'ip:127.0.0.1',
        body: [{ type: 'x' }, { userId: 'u', type: 'x', ts: 'never' }],
        mode: 'all',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestValidationError);
    const paths = (error as RequestValidationError).issues?.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['0.userId', '1.ts']));
  });

  it.each([
    ['an empty batch', []],
    ['a string', 'click'],
    ['null', null],
  ])('refuses %s with 400', async (_name, body) => {
    await expect(
      useCase.execute({ client: 'ip:127.0.0.1', body, mode: 'all' }),
    ).rejects.toBeInstanceOf(RequestValidationError);
  });

  it('refuses a body nested too deep with 400 before hashing it for the Idempotency-Key', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const error = await useCase
      .execute({
        client: 'ip:127.0.0.1',
        body: event('u', { properties: { deep } }),
        mode: 'all',
        idempotencyKey: 'k',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).issues?.[0]?.code).toBe('too_deep');
  });

  it('refuses more than 500 events with 413 before producing any', async () => {
    const body = Array.from({ length: 501 }, () => event());
    await expect(
      useCase.execute({ client: 'ip:127.0.0.1', body, mode: 'all' }),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(publisher.published).toHaveLength(0);
  });

  it('fails the whole request when Kafka failed every record (a 503 upstream)', async () => {
    const down = Object.assign(new Error('no ack within 10000 ms'), {
      code: 'KAFKA_DELIVERY_TIMEOUT',
      retryable: true,
    });
    publisher.outcome = () => ({ ok: false, error: down });
    await expect(
      useCase.execute({ client: 'ip:127.0.0.1', body: [event(), event()], mode: 'all' }),
    ).rejects.toBe(down);
    expect(metrics.counts['events/all/failed']).toBe(2);
  });

  it('reports records Kafka failed among written ones per record (207)', async () => {
    const rejected = Object.assign(new Error('record too large'), {
      code: 'KAFKA_SEND_REJECTED',
      retryable: false,
    });
    publisher.outcome = (_r, i) =>
      i === 1
        ? { ok: false, error: rejected }
        : { ok: true, delivery: { partition: 0, offset: '7', timestamp: 1 } };
    const reply = await useCase.execute({
      client: 'ip:127.0.0.1',
      body: [event(), event()],
      mode: 'all',
    });
    expect(reply.status).toBe(207);
    expect(reply.body).toMatchObject({
      failed: 1,
      results: [
        { status: 201 },
        { status: 502, code: 'KAFKA_SEND_REJECTED', reason: 'record too large', retryable: false },
      ],
    });
  });

  describe('with an Idempotency-Key', () => {
    it('replays the first reply for the same body without producing again', async () => {
      const first = await useCase.execute({
        client: 'ip:127.0.0.1',
        body: [event()],
        mode: 'all',
        idempotencyKey: 'k1',
      });
      const again = await useCase.execute({
        client: 'ip:127.0.0.1',
        body: [event()],
        mode: 'all',
        idempotencyKey: 'k1',
      });
      expect(first.replayed).toBe(false);
      expect(again).toEqual({ ...first, replayed: true });
      expect(publisher.published).toHaveLength(1);
    });

    it('refuses the key with another body (422) or another ack mode', async () => {
      await useCase.execute({
        client: 'ip:127.0.0.1',
        body: event('a'),
        mode: 'all',
        idempotencyKey: 'k2',
      });
      for (const retry of [
        { body: event('b'), mode: 'all' as const },
        { body: event('a'), mode: 'none' as const },
      ]) {
        const error = await useCase
          .execute({ client: 'ip:127.0.0.1', ...retry, idempotencyKey: 'k2' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServiceError);
        expect((error as ServiceError).code).toBe('IDEMPOTENCY_KEY_REUSED');
      }
      expect(publisher.published).toHaveLength(1);
    });

    it('derives eventIds from key and body, so a re-run after a crash produces the same ids', async () => {
      await useCase.execute({
        client: 'ip:127.0.0.1',
        body: [event(), event()],
        mode: 'all',
        idempotencyKey: 'k3',
      });
      store.rows.clear(); // as if the first run died before its reply was stored
      await useCase.execute({
        client: 'ip:127.0.0.1',
        body: [event(), event()],
        mode: 'all',
        idempotencyKey: 'k3',
      });
      const ids = publisher.published.map((r) => (r.value as { eventId: string }).eventId);
      expect(ids[0]).toBe(ids[2]);
      expect(ids[1]).toBe(ids[3]);
      expect(ids[0]).not.toBe(ids[1]);
    });

    it('frees the key when producing failed, so the retry runs', async () => {
      const down = Object.assign(new Error('down'), { code: 'KAFKA_SEND_FAILED', retryable: true });
      publisher.outcome = () => ({ ok: false, error: down });
      await expect(
        useCase.execute({
          client: 'ip:127.0.0.1',
          body: event(),
          mode: 'all',
          idempotencyKey: 'k4',
        }),
      ).rejects.toBe(down);
      publisher.outcome = () => ({
        ok: true,
        delivery: { partition: 1, offset: '1', timestamp: 1 },
      });
      const retry = await useCase.execute({
        client: 'ip:127.0.0.1',
        body: event(),
        mode: 'all',
        idempotencyKey: 'k4',
      });
      expect(retry).toMatchObject({ status: 201, replayed: false });
    });
  });
});
