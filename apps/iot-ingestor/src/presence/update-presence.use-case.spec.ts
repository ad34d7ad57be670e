import { Logger } from '@nestjs/common';
import type { DevicePresence } from '@streamline/contracts';
import { IngestAbortedError } from '../common/ingest-aborted.error';
import { IngestMetrics } from '../common/ingest.metrics';
import type { PresenceStore } from './presence.store';
import { UpdatePresenceUseCase } from './update-presence.use-case';

class FakeStore implements PresenceStore {
  readonly written: DevicePresence[] = [];
  failuresLeft = 0;

  async setStatus(presence: DevicePresence): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('NATS timeout');
    }
    this.written.push(presence);
  }
  async touch(): Promise<void> {
    throw new Error('not used by status updates');
  }
  async get(): Promise<DevicePresence | undefined> {
    return undefined;
  }
  async list(): Promise<DevicePresence[]> {
    return [];
  }
}

function setup() {
  const store = new FakeStore();
  const useCase = new UpdatePresenceUseCase(store, new IngestMetrics(), {
    statusFilter: 'it-x/sensors/+/status',
    retryBackoff: { initialMs: 1, maxMs: 2, multiplier: 2, jitter: 0 },
  });
  return { store, useCase };
}

const status = (payload: string, topic = 'it-x/sensors/dev-1/status') => ({
  topic,
  payload: Buffer.from(payload),
  receivedAt: 1_700_000_000_000,
});
const live = () => new AbortController().signal;

describe('UpdatePresenceUseCase', () => {
  // The retry and failure warnings are expected here; keep the output readable.
  beforeAll(() => Logger.overrideLogger(false));

  it.each([
    ['online', 'online'],
    ['offline', 'offline'],
    ['"offline"', 'offline'],
    ['{"status":"online","battery":3}', 'online'],
  ] as const)('stores %s as %s with lastSeen = the receive time', async (payload, expected) => {
    const { store, useCase } = setup();
    await useCase.execute(status(payload), live());
    expect(store.written).toEqual([
      { deviceId: 'dev-1', status: expected, lastSeen: 1_700_000_000_000 },
    ]);
  });

  it('ignores a payload that is no status, an empty (cleared retained) one and a bad device level', async () => {
    const { store, useCase } = setup();
    await expect(useCase.execute(status('sleeping'), live())).resolves.toMatchObject({
      result: 'ignored',
      reason: 'invalid_status',
    });
    await expect(useCase.execute(status(''), live())).resolves.toMatchObject({
      result: 'ignored',
      reason: 'empty',
    });
    await expect(
      useCase.execute(status('online', 'it-x/sensors/a.b/status'), live()),
    ).resolves.toMatchObject({
      result: 'ignored',
      reason: 'invalid_topic',
    });
    expect(store.written).toEqual([]);
  });

  it('retries a failed KV write until it is stored (the MQTT ack waits)', async () => {
    const { store, useCase } = setup();
    store.failuresLeft = 3;
    await expect(useCase.execute(status('offline'), live())).resolves.toMatchObject({
      result: 'updated',
    });
    expect(store.written).toHaveLength(1);
  });

  it('gives up with IngestAbortedError when the message can no longer be acked', async () => {
    const { store, useCase } = setup();
    store.failuresLeft = Number.MAX_SAFE_INTEGER;
    const abort = new AbortController();
    const updating = useCase.execute(status('offline'), abort.signal);
    setTimeout(() => abort.abort(), 20);
    await expect(updating).rejects.toBeInstanceOf(IngestAbortedError);
  });
});
