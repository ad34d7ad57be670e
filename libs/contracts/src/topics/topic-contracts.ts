import type { Contract } from '../contract';
import { alertContract } from '../messages/alert/alert.schema';
import { deviceChangeContract } from '../messages/cdc-envelope/cdc-envelope.schema';
import { devicePresenceContract } from '../messages/device-presence/device-presence.schema';
import { lateReadingContract } from '../messages/late-reading/late-reading.schema';
import {
  telemetryWindow5mContract,
  telemetryWindowContract,
} from '../messages/telemetry-window/telemetry-window.schema';
import { telemetryContract } from '../messages/telemetry/telemetry.schema';
import { userActivityContract } from '../messages/user-activity/user-activity.schema';
import { userSessionContract } from '../messages/user-session/user-session.schema';
import { KV_BUCKETS, STREAMS } from '../subjects/subjects';
import { isRetryTopic, originTopicOf, TOPICS } from './topics';

/**
 * Which contract a record value on each topic must satisfy. The changelog is absent on purpose:
 * it is the aggregator's private state format, not a contract between services.
 */
export const TOPIC_CONTRACTS = {
  [TOPICS.TELEMETRY]: telemetryContract,
  [TOPICS.TELEMETRY_LATE]: lateReadingContract,
  [TOPICS.USER_ACTIVITY]: userActivityContract,
  [TOPICS.CDC_DEVICES]: deviceChangeContract,
  [TOPICS.TELEMETRY_1M]: telemetryWindowContract,
  [TOPICS.TELEMETRY_5M]: telemetryWindow5mContract,
  [TOPICS.USER_SESSIONS]: userSessionContract,
} as const;

/** Messages on each JetStream stream. */
export const STREAM_CONTRACTS = {
  [STREAMS.ALERTS]: alertContract,
} as const;

/** Values in each KV bucket. */
export const KV_CONTRACTS = {
  [KV_BUCKETS.DEVICE_PRESENCE]: devicePresenceContract,
} as const;

/**
 * The contract of a topic's values. A `.retry` record is the original value, so it gets its
 * origin's contract; a `.dlq` value may be anything (bad JSON, raw MQTT bytes): undefined.
 */
export function contractForTopic(topic: string): Contract | undefined {
  const name = isRetryTopic(topic) ? originTopicOf(topic) : topic;
  const contracts: Readonly<Record<string, Contract>> = TOPIC_CONTRACTS;
  // hasOwn: a topic named like an Object.prototype member must not resolve to a function.
  return Object.hasOwn(contracts, name) ? contracts[name] : undefined;
}
