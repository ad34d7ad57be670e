import { CLOSED_PORT, TEST_ENV, waitFor } from '@streamline/testing';
import { silentLogger } from '../logging/messaging-logger';
import { NatsConnectionHandle } from './nats-connection';

describe('NatsConnectionHandle against the real server', () => {
  it('connects in the background and answers pings', async () => {
    const handle = new NatsConnectionHandle({
      url: TEST_ENV.natsUrl,
      name: 'handle-it',
      logger: silentLogger,
    });
    const nc = await handle.get();
    expect(nc.isClosed()).toBe(false);
    await expect(handle.ping()).resolves.toBeUndefined();
    await handle.close();
    expect(nc.isClosed()).toBe(true);
  });

  it('reports why it is not connected, and close() before the first connect stops retrying', async () => {
    const handle = new NatsConnectionHandle({
      url: `nats://127.0.0.1:${CLOSED_PORT}`,
      name: 'handle-it-down',
      logger: silentLogger,
    });
    const reason = await waitFor(
      async () => {
        const message = await handle.ping().then(
          () => 'unexpectedly connected',
          (error: Error) => error.message,
        );
        // The first attempt's refusal is recorded as the reason once it has failed.
        return /refused/i.test(message) || message === 'unexpectedly connected'
          ? message
          : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'the refusal to show in ping()' },
    );
    expect(reason).toMatch(
      new RegExp(`not connected to nats://127.0.0.1:${CLOSED_PORT}: .*refused`, 'i'),
    );
    await handle.close();
    await expect(handle.get()).rejects.toThrow(/closed before it was established/);
  });
});
