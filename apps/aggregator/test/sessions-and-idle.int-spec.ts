import { randomUUID } from 'node:crypto';
import { waitFor } from '@streamline/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import {
  committed,
  committedWindows,
  MINUTE,
  sendReadings,
  startEngineSuite,
  type EngineSuite,
  type SuiteNames,
} from './support/aggregator-test-kit';

describe('aggregator sessions and idle close against real Kafka', () => {
  const GAP = 5 * MINUTE;
  let suite: EngineSuite;
  let names: SuiteNames;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    // Idle after 1.5 s: a partition that stops receiving follows the wall clock.
    suite = await startEngineSuite('sessions', {
      AGG_SESSION_GAP_MS: String(GAP),
      AGG_IDLE_MS: '1500',
    });
    ({ names, kafka, admin, producer } = suite);
  });

  afterAll(() => suite?.stop());

  it('merges sessions an event bridges and closes them (and windows) on the idle clock', async () => {
    const base = Math.floor((Date.now() - 60 * MINUTE) / MINUTE) * MINUTE;
    const event = (userId: string, ts: number, type: string) => ({
      key: userId,
      value: JSON.stringify({ eventId: randomUUID(), userId, type, ts }),
    });
    // u-1: two sessions 5 min 5 s apart (more than the gap), then, while both are open (stream time
    // is below the first one's end + gap + grace), an event between them bridges both.
    // u-2: one session, then a second one after a long pause.
    await producer.send({
      topic: names.activity,
      messages: [
        event('u-1', base, 'view'),
        event('u-1', base + 2 * MINUTE, 'click'),
        event('u-1', base + 7 * MINUTE + 5_000, 'view'),
        event('u-1', base + 4 * MINUTE + 30_000, 'buy'),
        // Later than u-1's (they may share a partition, and so a stream time): not late.
        event('u-2', base + 8 * MINUTE, 'view'),
        event('u-2', base + 30 * MINUTE, 'view'),
      ],
    });
    // Telemetry with no later reading: only the idle clock can close its windows.
    await sendReadings(producer, names.telemetry, [
      { deviceId: 'dev-idle', ts: base + 1_000, metrics: { t: 7 } },
    ]);

    const sessions = await waitFor(
      async () => {
        const records = await committed(kafka, admin, names.sessions);
        return records.length === 3
          ? records.map((r) => JSON.parse(r.value) as Record<string, unknown>)
          : undefined;
      },
      { what: 'three sessions closed by the idle clock', timeoutMs: 45_000 },
    );
    const byId = (id: string) => sessions.find((s) => s['sessionId'] === id);
    expect(byId(`u-1:${base}`)).toEqual({
      sessionId: `u-1:${base}`,
      userId: 'u-1',
      sessionStart: base,
      sessionEnd: base + 7 * MINUTE + 5_000,
      eventCount: 4,
      types: { view: 2, click: 1, buy: 1 },
    });
    expect(byId(`u-2:${base + 8 * MINUTE}`)).toMatchObject({
      sessionEnd: base + 8 * MINUTE,
      eventCount: 1,
    });
    expect(byId(`u-2:${base + 30 * MINUTE}`)).toMatchObject({ eventCount: 1 });

    const windows = await waitFor(
      async () => {
        const w = await committedWindows(kafka, admin, names.windows1m);
        return w.size === 1 ? w : undefined;
      },
      { what: 'the idle partition to close its window' },
    );
    expect([...windows.values()]).toEqual([
      expect.objectContaining({ windowId: `dev-idle:${base}:${MINUTE}`, count: 1 }),
    ]);
  });
});
