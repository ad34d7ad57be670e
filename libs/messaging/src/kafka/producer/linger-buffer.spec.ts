import { LingerBuffer, type BufferedEntry, type LingerBufferLimits } from './linger-buffer';

interface Entry extends BufferedEntry {
  id: number;
}

const limits: LingerBufferLimits = {
  lingerMs: 10,
  batchMaxRecords: 3,
  batchMaxBytes: 100,
  bufferMaxBytes: 1000,
};

/** A buffer whose sends stay in flight until the test settles them. */
function harness(overrides: Partial<LingerBufferLimits> = {}) {
  const sent: Entry[][] = [];
  const expired: Entry[][] = [];
  const inFlight: Array<() => void> = [];
  const buffer = new LingerBuffer<Entry>(
    { ...limits, ...overrides },
    {
      send: (batch) => {
        sent.push(batch);
        return new Promise<void>((resolve) => inFlight.push(resolve));
      },
      expire: (entries) => expired.push(entries),
    },
  );
  let next = 0;
  const add = (bytes = 10, deliveryMs = 30_000) => {
    const now = Date.now();
    return buffer.add({ id: next++, bytes, queuedAt: now, deadline: now + deliveryMs });
  };
  const complete = async () => {
    inFlight.shift()?.();
    await Promise.resolve();
    await Promise.resolve();
  };
  return {
    buffer,
    sent,
    expired,
    add,
    complete,
    ids: (batch?: Entry[]) => batch?.map((e) => e.id),
  };
}

describe('LingerBuffer', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('holds a lone record for lingerMs, then sends it', () => {
    const h = harness();
    h.add();
    jest.advanceTimersByTime(9);
    expect(h.sent).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(h.sent.map(h.ids)).toEqual([[0]]);
  });

  it('sends at once when batchMaxRecords are waiting, without lingering', () => {
    const h = harness();
    h.add();
    h.add();
    expect(h.sent).toHaveLength(0);
    h.add();
    expect(h.sent.map(h.ids)).toEqual([[0, 1, 2]]);
  });

  it('sends at once when batchMaxBytes are waiting, and cuts the batch at that size', async () => {
    const h = harness({ batchMaxRecords: 100 });
    h.add(60);
    h.add(60);
    expect(h.sent.map(h.ids)).toEqual([[0]]);
    await h.complete();
    // The second record lingers anew from its own arrival, which is long past now.
    expect(h.sent.map(h.ids)).toEqual([[0]]);
    jest.advanceTimersByTime(10);
    expect(h.sent.map(h.ids)).toEqual([[0], [1]]);
  });

  it('keeps one batch in flight and fills the next one meanwhile', async () => {
    const h = harness();
    h.add();
    h.add();
    h.add();
    h.add();
    h.add();
    expect(h.sent.map(h.ids)).toEqual([[0, 1, 2]]);
    jest.advanceTimersByTime(50);
    expect(h.sent).toHaveLength(1);
    await h.complete();
    // The waiting records lingered long enough while the first batch was in flight.
    expect(h.sent.map(h.ids)).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it('refuses a record once bufferMaxBytes are waiting, but always takes a record into an empty buffer', () => {
    const h = harness({ bufferMaxBytes: 25, batchMaxRecords: 100, batchMaxBytes: 1000 });
    expect(h.add(500)).toBe(true);
    jest.advanceTimersByTime(10);
    expect(h.add(20)).toBe(true);
    expect(h.add(10)).toBe(false);
    expect(h.buffer.bytes).toBe(20);
  });

  it('expires waiting records at their deadline even while a batch is in flight', () => {
    const h = harness();
    h.add(10, 100);
    h.add(10, 100);
    h.add(10, 100);
    h.add(10, 100);
    expect(h.sent.map(h.ids)).toEqual([[0, 1, 2]]);
    jest.advanceTimersByTime(99);
    expect(h.expired).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(h.expired.map(h.ids)).toEqual([[3]]);
    expect(h.buffer.length).toBe(0);
  });

  it('flush sends lingering records at once and resolves when nothing is left in flight', async () => {
    const h = harness({ batchMaxRecords: 2 });
    h.add();
    let flushed = false;
    const flushing = h.buffer.flush().then(() => (flushed = true));
    expect(h.sent.map(h.ids)).toEqual([[0]]);
    h.add();
    h.add();
    await h.complete();
    expect(h.sent.map(h.ids)).toEqual([[0], [1, 2]]);
    expect(flushed).toBe(false);
    await h.complete();
    await flushing;
    expect(flushed).toBe(true);
  });

  it('keeps going when a send rejects', async () => {
    const sent: number[][] = [];
    const buffer = new LingerBuffer<Entry>(
      { ...limits, lingerMs: 0 },
      {
        send: (batch) => {
          sent.push(batch.map((e) => e.id));
          return Promise.reject(new Error('boom'));
        },
        expire: () => undefined,
      },
    );
    const now = Date.now();
    buffer.add({ id: 1, bytes: 1, queuedAt: now, deadline: now + 1000 });
    buffer.add({ id: 2, bytes: 1, queuedAt: now, deadline: now + 1000 });
    await buffer.whenIdle();
    expect(sent).toEqual([[1], [2]]);
  });
});
