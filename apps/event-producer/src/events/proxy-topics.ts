import { TOPICS, topicOwnerOf, topicsOwnedBy } from '@streamline/contracts';

/** The name under which ARCHITECTURE.md (and TOPIC_OWNERS) lists this service. */
export const PRODUCER_NAME = 'event-producer';

/**
 * Topics the REST proxy can be allowed to write, and the value field that is each record's key
 * (ARCHITECTURE.md: keys are the entity id). Everything else is off limits: aggregates and
 * late telemetry belong to the aggregator (exactly-once), `cdc.*` to Debezium, `.retry`/`.dlq`
 * to the failure path, the changelog to the aggregator's state.
 */
export const PROXY_KEY_FIELDS: Readonly<Record<string, string>> = {
  [TOPICS.USER_ACTIVITY]: 'userId',
  [TOPICS.TELEMETRY]: 'deviceId',
};

/**
 * What the REST proxy may write unless PROXY_TOPICS says otherwise: the topics this service owns.
 * Telemetry belongs to the iot-ingestor, whose checks (device id against the MQTT topic, the
 * future-time bound) a write over HTTP would skip.
 */
export const DEFAULT_PROXY_TOPICS: readonly string[] = topicsOwnedBy(PRODUCER_NAME).filter(
  (topic) => Object.hasOwn(PROXY_KEY_FIELDS, topic),
);

/** The service that produces `topic` when it is not this one, else undefined. */
export function otherOwnerOf(topic: string): string | undefined {
  const owner = topicOwnerOf(topic);
  return owner === PRODUCER_NAME ? undefined : owner;
}

/** The key field of a writable topic, or undefined when the proxy may not write it. */
export function proxyKeyFieldOf(topic: string): string | undefined {
  return Object.hasOwn(PROXY_KEY_FIELDS, topic) ? PROXY_KEY_FIELDS[topic] : undefined;
}
