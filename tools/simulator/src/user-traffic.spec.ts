import fc from 'fast-check';
import { userEventProblems } from './test-support/contract-checks';
import { seededRandom } from './test-support/seeded-random';
import {
  DEFAULT_SESSION_SHAPE,
  INVALID_EVENT_KINDS,
  invalidUserEventOfKind,
  USER_EVENT_TYPES,
  UserEventBatches,
  userIdFor,
  UserTraffic,
  type UserEvent,
} from './user-traffic';

const T0 = Date.UTC(2026, 0, 1);

/** Draws `count` events at `rate` per second of simulated time. */
function draw(traffic: UserTraffic, count: number, rate: number): UserEvent[] {
  return Array.from({ length: count }, (_, i) => traffic.next(T0 + Math.round((i * 1_000) / rate)));
}

describe('UserTraffic', () => {
  it('emits contract-valid events of the known types from sim-user ids', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 100 }),
        (seed, users, rate) => {
          const traffic = new UserTraffic({
            users,
            eventsRate: rate,
            now: T0,
            random: seededRandom(seed),
          });
          const events = draw(traffic, 300, rate);
          const problems = events.flatMap((event) => {
            const found = userEventProblems(event);
            if (!(USER_EVENT_TYPES as readonly string[]).includes(event.type))
              found.push(`type ${event.type}`);
            const index = Number(/^sim-user-(\d{4,})$/.exec(event.userId)?.[1]) - 1;
            if (!(index >= 0 && index < users)) found.push(`userId ${event.userId}`);
            return found;
          });
          expect(problems).toEqual([]);
          expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
        },
      ),
      { numRuns: 40 },
    );
    expect(userIdFor(0)).toBe('sim-user-0001');
  });

  it('has users emit in bounded bursts separated by rests, so sessions appear', () => {
    const rate = 20;
    const traffic = new UserTraffic({
      users: 50,
      eventsRate: rate,
      now: T0,
      random: seededRandom(7),
    });
    const events = draw(traffic, rate * 600, rate);
    const byUser = new Map<string, number[]>();
    for (const event of events)
      byUser.set(event.userId, [...(byUser.get(event.userId) ?? []), Date.parse(event.ts)]);
    expect(byUser.size).toBe(50);
    for (const times of byUser.values()) {
      // Split on rests of at least minIdleMs: every session is one burst at most.
      const sessions: number[] = [1];
      for (let i = 1; i < times.length; i += 1) {
        const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
        if (gap >= DEFAULT_SESSION_SHAPE.minIdleMs) sessions.push(1);
        else sessions[sessions.length - 1] = (sessions[sessions.length - 1] ?? 0) + 1;
      }
      expect(sessions.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...sessions)).toBeLessThanOrEqual(DEFAULT_SESSION_SHAPE.maxBurst);
    }
  });

  it('starts a burst with a login or a page view', () => {
    const traffic = new UserTraffic({ users: 1, eventsRate: 1, now: T0, random: seededRandom(3) });
    const first = traffic.next(T0);
    expect(['login', 'page_view']).toContain(first.type);
  });

  it('keeps the rate when there are fewer users than the pace needs', () => {
    const traffic = new UserTraffic({
      users: 2,
      eventsRate: 100,
      now: T0,
      random: seededRandom(9),
    });
    const events = draw(traffic, 1_000, 100);
    expect(events).toHaveLength(1_000);
    expect(new Set(events.map((e) => e.userId))).toEqual(
      new Set(['sim-user-0001', 'sim-user-0002']),
    );
  });

  it('refuses to run without users', () => {
    expect(() => new UserTraffic({ users: 0, eventsRate: 1, now: T0 })).toThrow(RangeError);
  });
});

describe('invalid user events', () => {
  const valid: UserEvent = {
    eventId: 'e-1',
    userId: 'sim-user-0001',
    type: 'click',
    ts: new Date(T0).toISOString(),
  };

  it.each(INVALID_EVENT_KINDS)('a %s event breaks the contract', (kind) => {
    expect(userEventProblems(valid)).toEqual([]);
    expect(userEventProblems(invalidUserEventOfKind(kind, valid))).not.toEqual([]);
  });

  it('makes the requested share of events in the batches invalid, and only those', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 60 }),
        (seed, badRatio, size, batchCount) => {
          const random = seededRandom(seed);
          const traffic = new UserTraffic({ users: 10, eventsRate: 10, now: T0, random });
          const batches = new UserEventBatches(traffic, size, badRatio, random);
          let invalid = 0;
          let total = 0;
          const problems: string[] = [];
          for (let i = 0; i < batchCount; i += 1) {
            const batch = batches.next(T0 + i * 100);
            const broken = batch.events.filter(
              (event) => userEventProblems(event).length > 0,
            ).length;
            if (batch.events.length !== size) problems.push('batch size');
            if (broken !== batch.invalid)
              problems.push(`batch says ${batch.invalid} invalid, ${broken} are`);
            invalid += broken;
            total += batch.events.length;
          }
          expect(problems).toEqual([]);
          expect(Math.abs(invalid - total * badRatio)).toBeLessThan(1);
        },
      ),
      { numRuns: 60 },
    );
  });
});
