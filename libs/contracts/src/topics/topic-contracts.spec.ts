import { KV_BUCKETS, STREAMS } from '../subjects/subjects';
import {
  KV_CONTRACTS,
  STREAM_CONTRACTS,
  TOPIC_CONTRACTS,
  contractForTopic,
} from './topic-contracts';
import { CONSUMED_TOPICS, TOPICS, dlqTopicOf, retryTopicOf } from './topics';

describe('topic → contract map', () => {
  it('names the schema each topic carries', () => {
    const ids = Object.fromEntries(
      Object.entries(TOPIC_CONTRACTS).map(([t, c]) => [t, c.schemaId]),
    );
    expect(ids).toEqual({
      'iot.telemetry.v1': 'iot.telemetry/1',
      'iot.telemetry.late.v1': 'iot.telemetry.late/1',
      'events.user-activity.v1': 'user-activity/1',
      'cdc.registry.devices': 'cdc.registry.devices/1',
      'agg.telemetry.1m.v1': 'agg.telemetry.1m/1',
      'agg.telemetry.5m.v1': 'agg.telemetry.5m/1',
      'agg.user-sessions.v1': 'agg.user-sessions/1',
    });
  });

  it('has a contract for every consumed topic and its retry topic, none for dead letters', () => {
    for (const topic of CONSUMED_TOPICS) {
      expect(contractForTopic(topic)).toBeDefined();
      expect(contractForTopic(retryTopicOf(topic))).toBe(contractForTopic(topic));
      expect(contractForTopic(dlqTopicOf(topic))).toBeUndefined();
    }
  });

  it('has none for the private changelog or unknown names, even Object.prototype ones', () => {
    expect(contractForTopic(TOPICS.AGGREGATOR_CHANGELOG)).toBeUndefined();
    expect(contractForTopic('constructor')).toBeUndefined();
    expect(contractForTopic('toString')).toBeUndefined();
  });

  it('maps the ALERTS stream and the device-presence bucket', () => {
    expect(STREAM_CONTRACTS[STREAMS.ALERTS].schemaId).toBe('alerts.telemetry/1');
    expect(KV_CONTRACTS[KV_BUCKETS.DEVICE_PRESENCE].schemaId).toBe('device-presence/1');
  });
});
