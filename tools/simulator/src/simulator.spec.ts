import type { FetchFn } from './event-sender';
import { startSimulator } from './simulator';
import { DEFAULT_OPTIONS } from './simulator-options';
import { userEventProblems } from './test-support/contract-checks';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('startSimulator without a broker', () => {
  it('POSTs user events at the configured rate and batch size and counts the answers', async () => {
    const bodies: unknown[] = [];
    const fetchFn: FetchFn = async (_url, init) => {
      bodies.push(JSON.parse(String(init.body)));
      return new Response('', { status: 201 });
    };
    const simulator = await startSimulator(
      { ...DEFAULT_OPTIONS, devices: 0, users: 10, eventsRate: 200, httpBatch: 4 },
      { fetchFn },
    );
    await sleep(1_000);
    const stats = await simulator.stop();
    const events = bodies.flat();
    expect(bodies.every((body) => Array.isArray(body) && body.length === 4)).toBe(true);
    expect(events.flatMap((event) => userEventProblems(event))).toEqual([]);
    expect(events.length).toBeGreaterThanOrEqual(150);
    expect(events.length).toBeLessThanOrEqual(240);
    expect(stats).toMatchObject({
      final: true,
      eventsAccepted: events.length,
      eventsFailed: 0,
      readingsPublished: 0,
    });
    await sleep(100);
    expect(bodies.flat()).toHaveLength(events.length);
  });

  it('keeps running and counts failures when the producer and the broker are unreachable', async () => {
    const notes: string[] = [];
    const simulator = await startSimulator(
      {
        ...DEFAULT_OPTIONS,
        devices: 2,
        rate: 50,
        users: 3,
        eventsRate: 50,
        mqttUrl: 'mqtt://127.0.0.1:1',
        producerUrl: 'http://127.0.0.1:1',
      },
      { connectTimeoutMs: 200, onLog: (message) => notes.push(message) },
    );
    await sleep(600);
    const stats = await simulator.stop();
    expect(stats.readingsPublished).toBe(0);
    expect(stats.readingsSkipped).toBeGreaterThan(0);
    expect(stats.mqttErrors).toBeGreaterThan(0);
    expect(stats.eventsFailed).toBeGreaterThan(0);
    expect(stats.eventsAccepted).toBe(0);
    expect(notes.some((note) => note.includes('0 of 2 devices connected'))).toBe(true);
  });

  it('reports stats lines every interval and stops only once', async () => {
    const lines: unknown[] = [];
    const simulator = await startSimulator(
      { ...DEFAULT_OPTIONS, devices: 0, users: 0, statsInterval: 0.1 },
      { onStats: (stats) => lines.push(stats) },
    );
    await sleep(350);
    const [first, second] = await Promise.all([simulator.stop(), simulator.stop()]);
    expect(first).toBe(second);
    const count = lines.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatchObject({ final: false, readingsPublished: 0, eventsAccepted: 0 });
    await sleep(250);
    expect(lines).toHaveLength(count);
  });
});
