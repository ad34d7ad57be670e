import fc from 'fast-check';
import { mergeSessions, SessionWindows, type Session } from './session-windows';

const MINUTE = 60_000;
const BASE = Date.UTC(2024, 4, 1, 12);
const GAP = 30 * MINUTE;

const sessionArb = fc
  .record({
    start: fc.integer({ min: BASE, max: BASE + 10 * GAP }),
    length: fc.integer({ min: 0, max: GAP }),
    types: fc.dictionary(fc.constantFrom('click', 'view', 'buy'), fc.integer({ min: 1, max: 5 }), {
      minKeys: 1,
    }),
  })
  .map(({ start, length, types }): Session => ({
    userId: 'u-1',
    start,
    end: start + length,
    count: Object.values(types).reduce((a, b) => a + b, 0),
    types,
    persisted: false,
  }));

const eventArb = fc.record({
  userId: fc.constantFrom('u-1', 'u-2'),
  ts: fc.integer({ min: BASE, max: BASE + 6 * GAP }),
  type: fc.constantFrom('click', 'view', 'buy'),
});

type Event = { userId: string; ts: number; type: string };

function sessionsOf(events: readonly Event[], graceMs: number, closeEvery: number) {
  const windows = new SessionWindows({ gapMs: GAP, graceMs });
  const closed: Session[] = [];
  events.forEach((e, i) => {
    expect(windows.add(e.userId, e.ts, e.type)).toBe(true);
    if ((i + 1) % closeEvery === 0) closed.push(...windows.closeDue());
  });
  windows.advanceTo(Number.MAX_SAFE_INTEGER);
  closed.push(...windows.closeDue());
  return closed
    .map(({ persisted: _p, ...s }) => s)
    .sort((a, b) => (a.userId === b.userId ? a.start - b.start : a.userId < b.userId ? -1 : 1));
}

describe('session windows', () => {
  it('merge sessions associatively and commutatively', () => {
    fc.assert(
      fc.property(sessionArb, sessionArb, sessionArb, (a, b, c) => {
        expect(mergeSessions(mergeSessions(a, b), c)).toEqual(
          mergeSessions(a, mergeSessions(b, c)),
        );
        expect(mergeSessions(a, b)).toEqual(mergeSessions(b, a));
      }),
    );
  });

  it('give the same sessions for any order and batching of events within the grace period', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        (events, closeEvery) => {
          const grace = 7 * GAP; // wider than the whole span: nothing is late
          const expected = sessionsOf(
            [...events].sort((a, b) => a.ts - b.ts),
            grace,
            1,
          );
          expect(sessionsOf([...events].reverse(), grace, closeEvery)).toEqual(expected);
          // Sessions are separated by more than the gap and account for every event.
          expect(expected.reduce((n, s) => n + s.count, 0)).toBe(events.length);
          for (const user of ['u-1', 'u-2']) {
            const own = expected.filter((s) => s.userId === user);
            for (let i = 1; i < own.length; i++) {
              expect((own[i] as Session).start - (own[i - 1] as Session).end).toBeGreaterThan(GAP);
            }
          }
        },
      ),
    );
  });

  it('merges two sessions when an event bridges them', () => {
    const windows = new SessionWindows({ gapMs: GAP, graceMs: 2 * GAP });
    windows.add('u-1', BASE, 'view');
    windows.add('u-1', BASE + 2 * GAP, 'view');
    expect(windows.size).toBe(2);
    windows.add('u-1', BASE + GAP, 'buy');
    expect(windows.list('u-1').map((s) => [s.start, s.end, s.count, s.types])).toEqual([
      [BASE, BASE + 2 * GAP, 3, { view: 2, buy: 1 }],
    ]);
  });

  it('refuses an event whose session would already have closed, and closes after gap plus grace', () => {
    const windows = new SessionWindows({ gapMs: GAP, graceMs: 1_000 });
    windows.add('u-1', BASE, 'view');
    windows.add('u-2', BASE + GAP + 999, 'view');
    expect(windows.closeDue()).toEqual([]);
    windows.add('u-2', BASE + GAP + 1_000, 'view');
    expect(windows.closeDue().map((s) => [s.userId, s.start])).toEqual([['u-1', BASE]]);
    // Alone it would be a session ending at BASE, closed at BASE + gap + grace: stream time is there.
    expect(windows.add('u-1', BASE, 'click')).toBe(false);
    expect(windows.add('u-1', BASE + 1, 'click')).toBe(true);
  });
});
