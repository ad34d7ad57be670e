import {
  CONSUMED_TOPICS,
  CONSUMER_GROUPS,
  DLQ_TOPICS,
  RETRY_TOPICS,
  TOPICS,
  TOPIC_SETTINGS,
  dlqTopicOf,
  isDlqTopic,
  isRetryTopic,
  originTopicOf,
  retryTopicOf,
  settingsOf,
  toCreateTopicConfig,
  topicSettings,
  type TopicSettings,
} from './topics';

const config = (s: TopicSettings | undefined, name: string) =>
  s?.configEntries.find((e) => e.name === name)?.value;

describe('TOPICS', () => {
  it('holds the exact, versioned wire names of ARCHITECTURE.md', () => {
    expect(TOPICS).toEqual({
      TELEMETRY: 'iot.telemetry.v1',
      TELEMETRY_DLQ: 'iot.telemetry.v1.dlq',
      USER_ACTIVITY: 'events.user-activity.v1',
      CDC_DEVICES: 'cdc.registry.devices',
      TELEMETRY_1M: 'agg.telemetry.1m.v1',
      TELEMETRY_5M: 'agg.telemetry.5m.v1',
      USER_SESSIONS: 'agg.user-sessions.v1',
      TELEMETRY_LATE: 'iot.telemetry.late.v1',
      AGGREGATOR_CHANGELOG: 'aggregator.state.changelog',
    });
  });

  it('lists the consumed topics, each of which has a retry and a dead-letter topic', () => {
    expect([...CONSUMED_TOPICS].sort()).toEqual(
      [
        'iot.telemetry.v1',
        'events.user-activity.v1',
        'cdc.registry.devices',
        'agg.telemetry.1m.v1',
        'agg.user-sessions.v1',
      ].sort(),
    );
    expect(RETRY_TOPICS).toContain('iot.telemetry.v1.retry');
    expect(DLQ_TOPICS).toContain(TOPICS.TELEMETRY_DLQ);
  });

  it('names the consumer groups with a version', () => {
    expect(CONSUMER_GROUPS).toEqual({
      AGGREGATOR: 'aggregator.v1',
      DLQ_HANDLER: 'dlq-handler.v1',
      CDC_SINK: 'cdc-sink.v1',
      RETRY_FORWARDER: 'dlq-handler.retry-forwarder.v1',
    });
  });
});

describe('retry and dead-letter topic names', () => {
  it('appends .retry and .dlq', () => {
    expect(retryTopicOf('iot.telemetry.v1')).toBe('iot.telemetry.v1.retry');
    expect(dlqTopicOf('iot.telemetry.v1')).toBe('iot.telemetry.v1.dlq');
    expect(dlqTopicOf(TOPICS.TELEMETRY)).toBe(TOPICS.TELEMETRY_DLQ);
  });

  it.each(['', 'x.retry', 'x.dlq'])(
    'refuses to derive from %p (would name a topic nobody reads)',
    (topic) => {
      expect(() => retryTopicOf(topic)).toThrow(RangeError);
      expect(() => dlqTopicOf(topic)).toThrow(RangeError);
    },
  );

  it('recognises and strips the suffixes', () => {
    expect(isRetryTopic('a.v1.retry')).toBe(true);
    expect(isRetryTopic('a.v1.dlq')).toBe(false);
    expect(isDlqTopic('a.v1.dlq')).toBe(true);
    expect(isDlqTopic('a.v1')).toBe(false);
    for (const origin of CONSUMED_TOPICS) {
      expect(originTopicOf(retryTopicOf(origin))).toBe(origin);
      expect(originTopicOf(dlqTopicOf(origin))).toBe(origin);
      expect(originTopicOf(origin)).toBe(origin);
    }
  });
});

describe('TOPIC_SETTINGS', () => {
  const names = TOPIC_SETTINGS.map((s) => s.name);

  it('covers every name in TOPICS', () => {
    for (const topic of Object.values(TOPICS)) expect(names).toContain(topic);
  });

  it('covers the .retry and .dlq of every consumed topic', () => {
    for (const topic of CONSUMED_TOPICS) {
      expect(names).toContain(`${topic}.retry`);
      expect(names).toContain(`${topic}.dlq`);
    }
  });

  it('lists each topic once and nothing else', () => {
    expect(new Set(names).size).toBe(names.length);
    const expected = new Set([...Object.values(TOPICS), ...RETRY_TOPICS, ...DLQ_TOPICS]);
    expect(new Set(names)).toEqual(expected);
  });

  it('gives every topic partitions, replication factor 1 and a cleanup policy, as strings', () => {
    for (const s of TOPIC_SETTINGS) {
      expect(Number.isInteger(s.partitions) && s.partitions >= 1).toBe(true);
      expect(s.replicationFactor).toBe(1);
      expect(['delete', 'compact']).toContain(config(s, 'cleanup.policy'));
      for (const entry of s.configEntries) expect(typeof entry.value).toBe('string');
      expect(config(s, 'min.insync.replicas')).toBe('1');
    }
  });

  it('compacts the aggregator changelog and the CDC table topic', () => {
    for (const topic of [TOPICS.AGGREGATOR_CHANGELOG, TOPICS.CDC_DEVICES]) {
      const s = settingsOf(topic);
      expect(config(s, 'cleanup.policy')).toBe('compact');
      expect(config(s, 'min.compaction.lag.ms')).toMatch(/^\d+$/);
      expect(config(s, 'retention.ms')).toBeUndefined();
    }
  });

  it('keeps dead letters 30 days', () => {
    for (const topic of DLQ_TOPICS) {
      expect(config(settingsOf(topic), 'cleanup.policy')).toBe('delete');
      expect(config(settingsOf(topic), 'retention.ms')).toBe(String(30 * 24 * 3_600_000));
    }
  });

  it('gives every delete-policy topic a retention', () => {
    for (const s of TOPIC_SETTINGS.filter((t) => config(t, 'cleanup.policy') === 'delete')) {
      expect(Number(config(s, 'retention.ms'))).toBeGreaterThan(0);
    }
  });

  it('keeps state partitions aligned with the telemetry input', () => {
    expect(settingsOf(TOPICS.AGGREGATOR_CHANGELOG)?.partitions).toBe(
      settingsOf(TOPICS.TELEMETRY)?.partitions,
    );
  });

  it('scales replication and min.insync.replicas for a real cluster', () => {
    for (const s of topicSettings(3)) {
      expect(s.replicationFactor).toBe(3);
      expect(config(s, 'min.insync.replicas')).toBe('2');
    }
  });

  it('converts to the kafkajs createTopics shape', () => {
    const s = settingsOf(TOPICS.TELEMETRY);
    if (!s) throw new Error('telemetry settings missing');
    expect(toCreateTopicConfig(s)).toEqual({
      topic: 'iot.telemetry.v1',
      numPartitions: s.partitions,
      replicationFactor: 1,
      configEntries: s.configEntries,
    });
    expect(settingsOf('not.ours')).toBeUndefined();
  });
});
