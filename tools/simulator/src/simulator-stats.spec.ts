import { StatsTracker } from './simulator-stats';

describe('StatsTracker', () => {
  it('reports totals with rates over the last interval, and the whole-run average at the end', () => {
    let now = 10_000;
    const tracker = new StatsTracker(() => now);
    tracker.counters.readingsPublished = 100;
    tracker.counters.eventsAccepted = 20;
    tracker.counters.eventsFailed = 10;
    now += 2_000;
    expect(tracker.interval()).toMatchObject({
      final: false,
      elapsedSeconds: 2,
      readingsPublished: 100,
      readingsPerSecond: 50,
      eventsPerSecond: 15,
      eventsAcceptedPerSecond: 10,
    });
    tracker.counters.readingsPublished = 110;
    now += 1_000;
    expect(tracker.interval()).toMatchObject({
      readingsPerSecond: 10,
      eventsPerSecond: 0,
      elapsedSeconds: 3,
    });
    now += 1_000;
    expect(tracker.total()).toMatchObject({
      final: true,
      readingsPublished: 110,
      readingsPerSecond: 27.5,
      elapsedSeconds: 4,
    });
  });
});
