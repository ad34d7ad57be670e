import { DLQ_SUFFIX, RETRY_SUFFIX, TOPICS } from './topics';

/**
 * The one process that produces each topic (ARCHITECTURE.md "Services", column "produces").
 * Another service writing there would skip the owner's checks (the ingestor's device and time
 * bounds, the aggregator's exactly-once), so a service refuses to write a topic it does not own.
 */
export const TOPIC_OWNERS = {
  [TOPICS.TELEMETRY]: 'iot-ingestor',
  [TOPICS.USER_ACTIVITY]: 'event-producer',
  [TOPICS.CDC_DEVICES]: 'debezium',
  [TOPICS.TELEMETRY_1M]: 'aggregator',
  [TOPICS.TELEMETRY_5M]: 'aggregator',
  [TOPICS.USER_SESSIONS]: 'aggregator',
  [TOPICS.TELEMETRY_LATE]: 'aggregator',
  [TOPICS.AGGREGATOR_CHANGELOG]: 'aggregator',
} as const;

/** Who produces a topic: its owner, `dlq-handler` for the failure path, undefined if unknown. */
export function topicOwnerOf(topic: string): string | undefined {
  // The failure path: consumers forward to `.retry`/`.dlq`, dlq-handler owns what happens next.
  if (topic.endsWith(RETRY_SUFFIX) || topic.endsWith(DLQ_SUFFIX)) return 'dlq-handler';
  const owners: Readonly<Record<string, string>> = TOPIC_OWNERS;
  return Object.hasOwn(owners, topic) ? owners[topic] : undefined;
}

/** The topics a service produces as their owner. */
export function topicsOwnedBy(service: string): string[] {
  return Object.entries(TOPIC_OWNERS)
    .filter(([, owner]) => owner === service)
    .map(([topic]) => topic);
}
