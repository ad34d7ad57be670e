import { Logger } from '@nestjs/common';
import type { DevicePresence } from '@streamline/contracts';
import { IngestMetrics } from '../common/ingest.metrics';
import { PresenceRefresher } from './presence-refresher';
import type { PresenceStore } from './presence.store';

class TouchLog implements PresenceStore {
  readonly touches: Array<[string, number]> = [];
  failing = false;

  async touch(deviceId: string, seenAt: number): Promise<void> {
    if (this.failing) throw new Error('NATS down');
    this.touches.push([deviceId, seenAt]);
  }
  async setStatus(): Promise<void> {
    throw new Error('not used by the refresher');
  }
  async get(): Promise<DevicePresence | undefined> {
    return undefined;
  }
  async list(): Promise<DevicePresence[]> {
    return [];
  }
}

describe('PresenceRefresher', () => {
  // The retry and failure warnings are expected here; keep the output readable.
  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setup() {
    const store = new TouchLog();
    const refresher = new PresenceRefresher(store, new IngestMetrics(), {
      intervalMs: 1_000,
      concurrency: 4,
    });
    return { store, refresher };
  }

  it('writes each device at most once per interval, with the latest lastSeen', async () => {
    const { store, refresher } = setup();
    refresher.touch('a', 10);
    refresher.touch('a', 30);
    refresher.touch('a', 20);
    refresher.touch('b', 5);
    await jest.advanceTimersByTimeAsync(999);
    expect(store.touches).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.touches.sort()).toEqual([
      ['a', 30],
      ['b', 5],
    ]);
    refresher.touch('a', 40);
    await jest.advanceTimersByTimeAsync(500);
    expect(store.touches).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(500);
    expect(store.touches).toContainEqual(['a', 40]);
    expect(store.touches).toHaveLength(3);
  });

  it('drops a refresh that fails (the next reading refreshes again) and never throws to the caller', async () => {
    const { store, refresher } = setup();
    store.failing = true;
    refresher.touch('a', 1);
    await jest.advanceTimersByTimeAsync(1_000);
    store.failing = false;
    refresher.touch('a', 2);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(store.touches).toEqual([['a', 2]]);
  });

  it('writes what is pending when the module stops', async () => {
    const { store, refresher } = setup();
    refresher.touch('a', 7);
    await refresher.onModuleDestroy();
    expect(store.touches).toEqual([['a', 7]]);
  });
});
