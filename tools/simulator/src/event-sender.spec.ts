import { EventSender, type FetchFn } from './event-sender';
import { emptyCounters } from './simulator-stats';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch whose answers the test controls; each call waits until released. */
function controlledFetch(): {
  fetchFn: FetchFn;
  calls: Call[];
  answer: (i: number, response: Response | Error) => void;
} {
  const calls: Call[] = [];
  const settle: ((response: Response | Error) => void)[] = [];
  const fetchFn: FetchFn = (url, init) =>
    new Promise<Response>((resolve, reject) => {
      calls.push({ url, init });
      settle.push((response) => (response instanceof Error ? reject(response) : resolve(response)));
    });
  return { fetchFn, calls, answer: (i, response) => settle[i]?.(response) };
}

const answering =
  (status: number, body = ''): FetchFn =>
  async () =>
    new Response(status === 204 ? null : body, { status });

describe('EventSender', () => {
  it('POSTs one event as an object and several as an array, as JSON, to <producer>/events', async () => {
    const fetchMock = controlledFetch();
    const sender = new EventSender({
      producerUrl: 'http://producer:3002/',
      counters: emptyCounters(),
      fetchFn: fetchMock.fetchFn,
    });
    sender.send([{ userId: 'a' }]);
    sender.send([{ userId: 'b' }, { userId: 'c' }]);
    expect(fetchMock.calls.map((c) => c.url)).toEqual([
      'http://producer:3002/events',
      'http://producer:3002/events',
    ]);
    expect(fetchMock.calls[0]?.init.method).toBe('POST');
    expect(fetchMock.calls[0]?.init.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(String(fetchMock.calls[0]?.init.body))).toEqual({ userId: 'a' });
    expect(JSON.parse(String(fetchMock.calls[1]?.init.body))).toEqual([
      { userId: 'b' },
      { userId: 'c' },
    ]);
    fetchMock.answer(0, new Response('', { status: 201 }));
    fetchMock.answer(1, new Response('', { status: 201 }));
    await sender.drain();
  });

  it.each([
    [201, 'eventsAccepted'],
    [202, 'eventsAccepted'],
    [400, 'eventsRejected'],
    [404, 'eventsRejected'],
    [500, 'eventsFailed'],
    [503, 'eventsFailed'],
  ] as const)('counts every event of a %d answer as %s', async (status, field) => {
    const counters = emptyCounters();
    const sender = new EventSender({
      producerUrl: 'http://p',
      counters,
      fetchFn: answering(status),
    });
    sender.send([{}, {}, {}]);
    await sender.drain();
    expect(counters[field]).toBe(3);
    const others = ['eventsAccepted', 'eventsRejected', 'eventsFailed'].filter((f) => f !== field);
    for (const other of others) expect(counters[other as typeof field]).toBe(0);
  });

  it('counts a network error as failed and reports it once, not per request', async () => {
    const counters = emptyCounters();
    const problems: string[] = [];
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: new Error('connect ECONNREFUSED 127.0.0.1:3002'),
    });
    const sender = new EventSender({
      producerUrl: 'http://p',
      counters,
      fetchFn: async () => Promise.reject(refused),
      onProblem: (message) => problems.push(message),
    });
    for (let i = 0; i < 5; i += 1) {
      sender.send([{}, {}]);
      await sender.drain();
    }
    expect(counters.eventsFailed).toBe(10);
    expect(problems).toEqual(['POST http://p/events failed: connect ECONNREFUSED 127.0.0.1:3002']);
  });

  it('counts a request that outlives the timeout as failed', async () => {
    const counters = emptyCounters();
    const hanging: FetchFn = (_url, init) =>
      new Promise((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    const sender = new EventSender({
      producerUrl: 'http://p',
      counters,
      fetchFn: hanging,
      timeoutMs: 20,
    });
    sender.send([{}]);
    await sender.drain();
    expect(counters.eventsFailed).toBe(1);
  });

  it('reads per-item statuses from a 207 body', async () => {
    const counters = emptyCounters();
    const body = JSON.stringify({
      results: [{ status: 201 }, { status: 400 }, { status: 201 }, { status: 503 }],
    });
    const sender = new EventSender({
      producerUrl: 'http://p',
      counters,
      fetchFn: answering(207, body),
    });
    sender.send([{}, {}, {}, {}], 1);
    await sender.drain();
    expect(counters).toMatchObject({
      eventsAccepted: 2,
      eventsRejected: 1,
      eventsFailed: 1,
      invalidEventsSent: 1,
    });
  });

  it('on a 207 it cannot read, counts the deliberately invalid events as rejected and the rest as accepted', async () => {
    const counters = emptyCounters();
    const sender = new EventSender({
      producerUrl: 'http://p',
      counters,
      fetchFn: answering(207, 'partly'),
    });
    sender.send([{}, {}, {}, {}, {}], 2);
    await sender.drain();
    expect(counters).toMatchObject({ eventsAccepted: 3, eventsRejected: 2 });
  });

  it('never has more than maxInFlight requests open: the rest is counted as skipped, not queued', async () => {
    const counters = emptyCounters();
    const fetchMock = controlledFetch();
    const sender = new EventSender({
      producerUrl: 'http://p',
      counters,
      fetchFn: fetchMock.fetchFn,
      maxInFlight: 2,
    });
    expect(sender.send([{}, {}])).toBe(true);
    expect(sender.send([{}, {}])).toBe(true);
    expect(sender.canSend()).toBe(false);
    expect(sender.send([{}, {}])).toBe(false);
    expect(fetchMock.calls).toHaveLength(2);
    expect(counters.eventsSkipped).toBe(2);
    fetchMock.answer(0, new Response('', { status: 201 }));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sender.canSend()).toBe(true);
    expect(sender.send([{}])).toBe(true);
    expect(fetchMock.calls).toHaveLength(3);
    fetchMock.answer(1, new Response('', { status: 201 }));
    fetchMock.answer(2, new Response('', { status: 201 }));
    await sender.drain();
    expect(counters).toMatchObject({ eventsAccepted: 5, eventsSkipped: 2 });
  });

  it('does not report the 400 that deliberately invalid events earn', async () => {
    const problems: string[] = [];
    const sender = new EventSender({
      producerUrl: 'http://p',
      counters: emptyCounters(),
      fetchFn: answering(400),
      onProblem: (message) => problems.push(message),
    });
    sender.send([{}], 1);
    await sender.drain();
    expect(problems).toEqual([]);
    sender.send([{}], 0);
    await sender.drain();
    expect(problems).toEqual(['POST http://p/events answered 400']);
  });
});
