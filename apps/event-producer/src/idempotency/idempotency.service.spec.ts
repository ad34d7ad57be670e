import { ServiceError } from '@streamline/platform';
import { InMemoryIdempotencyStore, idempotencyOver } from '../test-support/fakes';

const request = { client: 'ip:10.0.0.7', scope: 'POST /events', key: 'k', fingerprint: 'f1' };
const reply = { status: 201, body: { ok: true } };

describe('IdempotencyService', () => {
  it('runs the first request and replays its reply for the same request', async () => {
    const service = idempotencyOver(new InMemoryIdempotencyStore());
    const work = jest.fn(async () => reply);
    expect(await service.execute(request, work)).toEqual({ ...reply, replayed: false });
    expect(await service.execute(request, work)).toEqual({ ...reply, replayed: true });
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('lets concurrent requests with one key run once: the other hears "in progress" (409)', async () => {
    const service = idempotencyOver(new InMemoryIdempotencyStore());
    let finish: () => void = () => undefined;
    const work = jest.fn(
      () => new Promise<typeof reply>((resolve) => (finish = () => resolve(reply))),
    );
    const first = service.execute(request, work);
    const second = await service.execute(request, work).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ServiceError);
    expect(second).toMatchObject({
      code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
      retryable: true,
      retryAfterSeconds: 1,
    });
    finish();
    await first;
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('refuses the key for a different request (422 code)', async () => {
    const service = idempotencyOver(new InMemoryIdempotencyStore());
    await service.execute(request, async () => reply);
    await expect(
      service.execute({ ...request, fingerprint: 'f2' }, async () => reply),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', retryable: false });
  });

  it('releases the key when the work fails, so a retry runs it', async () => {
    const store = new InMemoryIdempotencyStore();
    const service = idempotencyOver(store);
    await expect(
      service.execute(request, async () => {
        throw new Error('kafka down');
      }),
    ).rejects.toThrow('kafka down');
    expect(store.rows.size).toBe(0);
    expect(await service.execute(request, async () => reply)).toMatchObject({ replayed: false });
  });

  it('scopes keys per client: the same key from two clients is two requests', async () => {
    const store = new InMemoryIdempotencyStore();
    const service = idempotencyOver(store);
    const other = { status: 201, body: { other: true } };
    await service.execute(request, async () => reply);
    // Another client, same key, another body: not a 422, not the first client's reply.
    expect(
      await service.execute(
        { ...request, client: 'key:0a1b', fingerprint: 'f2' },
        async () => other,
      ),
    ).toEqual({ ...other, replayed: false });
    expect([...store.rows.keys()].sort()).toEqual([
      'ip:10.0.0.7 POST /events\nk',
      'key:0a1b POST /events\nk',
    ]);
  });

  it('still answers when storing the reply fails (the records were produced)', async () => {
    const store = new InMemoryIdempotencyStore();
    store.complete = async () => {
      throw new Error('postgres gone');
    };
    const service = idempotencyOver(store);
    expect(await service.execute(request, async () => reply)).toEqual({
      ...reply,
      replayed: false,
    });
  });
});
