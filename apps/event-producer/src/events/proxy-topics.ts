import { TOPICS } from '@streamline/contracts';

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

/** The key field of a writable topic, or undefined when the proxy may not write it. */
export function proxyKeyFieldOf(topic: string): string | undefined {
  return Object.hasOwn(PROXY_KEY_FIELDS, topic) ? PROXY_KEY_FIELDS[topic] : undefined;
}
