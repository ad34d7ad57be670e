import { NonRetryableError, type NatsConnectionHandle } from '@streamline/messaging';
import type { NatsConnection } from 'nats';
import { JetStreamProvisioningService } from './jetstream-provisioning.service';

/** A handle whose connection answers `jetstreamManager()` with the given outcomes, in order. */
function handleWith(outcomes: Array<'ok' | Error>): NatsConnectionHandle {
  let call = 0;
  const nc = {
    jetstreamManager: async () => {
      const outcome = outcomes[Math.min(call++, outcomes.length - 1)];
      if (outcome instanceof Error) throw outcome;
      return {};
    },
  } as unknown as NatsConnection;
  return { get: async () => nc } as unknown as NatsConnectionHandle;
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('JetStreamProvisioningService', () => {
  afterEach(() => jest.useRealTimers());

  it('is ready once provisioning succeeded', async () => {
    const service = new JetStreamProvisioningService(handleWith(['ok']), { url: 'u', name: 'svc' });
    expect(() => service.assertReady()).toThrow(/has not finished/);
    service.onModuleInit();
    await service.ready();
    expect(() => service.assertReady()).not.toThrow();
  });

  it('retries a retryable failure with backoff until it succeeds', async () => {
    jest.useFakeTimers();
    const service = new JetStreamProvisioningService(
      handleWith([new Error('timeout'), new Error('timeout'), 'ok']),
      { url: 'u', name: 'svc' },
    );
    service.onModuleInit();
    await flush();
    expect(() => service.assertReady()).toThrow(/timeout/);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(() => service.assertReady()).toThrow(/timeout/);
    await jest.advanceTimersByTimeAsync(2_000);
    await service.ready();
    expect(() => service.assertReady()).not.toThrow();
  });

  it('reports a settings conflict through readiness and does not retry it', async () => {
    jest.useFakeTimers();
    const conflict = new NonRetryableError('JETSTREAM_SETTINGS_CONFLICT', 'retention differs');
    const handle = handleWith([conflict, 'ok']);
    const service = new JetStreamProvisioningService(handle, { url: 'u', name: 'svc' });
    service.onModuleInit();
    await flush();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(() => service.assertReady()).toThrow(/retention differs/);
  });
});
