import { TOPIC_OWNERS, topicOwnerOf, topicsOwnedBy } from './topic-owners';
import { TOPICS } from './topics';

describe('topic owners', () => {
  it('names the one producer of each topic, as ARCHITECTURE.md does', () => {
    expect(topicOwnerOf(TOPICS.TELEMETRY)).toBe('iot-ingestor');
    expect(topicOwnerOf(TOPICS.USER_ACTIVITY)).toBe('event-producer');
    expect(topicOwnerOf(TOPICS.TELEMETRY_1M)).toBe('aggregator');
    expect(topicOwnerOf('iot.telemetry.v1.dlq')).toBe('dlq-handler');
    expect(topicOwnerOf('events.user-activity.v1.retry')).toBe('dlq-handler');
  });

  it('knows every topic of the contracts, and nothing else', () => {
    for (const topic of Object.values(TOPICS)) {
      if (topic.endsWith('.dlq')) continue;
      expect(Object.keys(TOPIC_OWNERS)).toContain(topic);
    }
    expect(topicOwnerOf('someone.elses.topic')).toBeUndefined();
    expect(topicOwnerOf('constructor')).toBeUndefined();
  });

  it('lists what a service owns', () => {
    expect(topicsOwnedBy('event-producer')).toEqual([TOPICS.USER_ACTIVITY]);
  });
});
