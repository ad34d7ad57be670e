import { silentLogger } from '../../logging/messaging-logger';
import { PatternSubscription, suffixPattern } from './pattern-subscription';

function harness(initial: string[]) {
  let topics = [...initial];
  const started: string[][] = [];
  let stops = 0;
  let failNextStart = false;
  const subscription = new PatternSubscription({
    topicsFrom: async () => [...topics],
    pattern: suffixPattern('.retry'),
    refreshIntervalMs: 3_600_000,
    logger: silentLogger,
    start: async (list) => {
      if (failNextStart) {
        failNextStart = false;
        throw new Error('broker down');
      }
      started.push([...list]);
      return { stop: async () => void stops++ };
    },
  });
  return {
    subscription,
    started,
    stops: () => stops,
    setTopics: (next: string[]) => (topics = next),
    failNextStart: () => (failNextStart = true),
  };
}

describe('PatternSubscription', () => {
  it('starts over the matching topics and restarts when a matching topic appears', async () => {
    const h = harness(['a.retry', 'a', 'a.dlq']);
    await h.subscription.start();
    expect(h.started).toEqual([['a.retry']]);
    expect(await h.subscription.refresh()).toBe(false);
    h.setTopics(['a.retry', 'b.retry', 'b']);
    expect(await h.subscription.refresh()).toBe(true);
    expect(h.started).toEqual([['a.retry'], ['a.retry', 'b.retry']]);
    expect(h.stops()).toBe(1);
    expect(h.subscription.topics).toEqual(['a.retry', 'b.retry']);
    await h.subscription.stop();
    expect(h.stops()).toBe(2);
  });

  it('runs nothing while no topic matches, and starts once one does', async () => {
    const h = harness(['a']);
    await h.subscription.start();
    expect(h.started).toEqual([]);
    h.setTopics(['a', 'x.retry']);
    expect(await h.subscription.refresh()).toBe(true);
    expect(h.started).toEqual([['x.retry']]);
    await h.subscription.stop();
  });

  it('retries a start that failed at the next check', async () => {
    const h = harness(['a.retry']);
    h.failNextStart();
    await h.subscription.start();
    expect(h.started).toEqual([]);
    expect(await h.subscription.refresh()).toBe(true);
    expect(h.started).toEqual([['a.retry']]);
    await h.subscription.stop();
  });

  it('matches the suffix literally', () => {
    const pattern = suffixPattern('.dlq', 'it.');
    expect(pattern.test('it.x.dlq')).toBe(true);
    expect(pattern.test('itxx.dlq')).toBe(false);
    expect(pattern.test('it.xdlq')).toBe(false);
    expect(pattern.test('.dlq')).toBe(false);
  });
});
