/**
 * Kafka topic names: explicit strings with the version in the name, so renaming code never moves
 * data. A breaking change of a contract gets a new topic (`.v2`), not a silent reinterpretation.
 */
export const TOPICS = {
  TELEMETRY: 'iot.telemetry.v1',
  TELEMETRY_DLQ: 'iot.telemetry.v1.dlq',
  USER_ACTIVITY: 'events.user-activity.v1',
  /** Written by Debezium: `<topic.prefix>.<schema>.<table>` with topic.prefix = `cdc`. */
  CDC_DEVICES: 'cdc.registry.devices',
  /** Tumbling windows (default one minute). */
  TELEMETRY_1M: 'agg.telemetry.1m.v1',
  /** Hopping windows (default five minutes advancing by one). */
  TELEMETRY_5M: 'agg.telemetry.5m.v1',
  USER_SESSIONS: 'agg.user-sessions.v1',
  /** Readings that arrived after their window closed: kept, never dropped. */
  TELEMETRY_LATE: 'iot.telemetry.late.v1',
  /** The aggregator's window state, written in the same transaction as its outputs. */
  AGGREGATOR_CHANGELOG: 'aggregator.state.changelog',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Topics some service consumes with retry and dead-letter handling: each has `.retry` and `.dlq`. */
export const CONSUMED_TOPICS = [
  TOPICS.TELEMETRY,
  TOPICS.USER_ACTIVITY,
  TOPICS.CDC_DEVICES,
  TOPICS.TELEMETRY_1M,
  TOPICS.USER_SESSIONS,
] as const;

export const RETRY_SUFFIX = '.retry';
export const DLQ_SUFFIX = '.dlq';

/** `<topic>.retry`: where a retryable failure waits for dlq-handler. */
export function retryTopicOf<T extends string>(topic: T): `${T}.retry` {
  return `${checkedOrigin(topic)}${RETRY_SUFFIX}` as `${T}.retry`;
}

/** `<topic>.dlq`: where a record goes when no retry can help. */
export function dlqTopicOf<T extends string>(topic: T): `${T}.dlq` {
  return `${checkedOrigin(topic)}${DLQ_SUFFIX}` as `${T}.dlq`;
}

/** Whether a topic is a `.retry` topic. */
export function isRetryTopic(topic: string): boolean {
  return topic.endsWith(RETRY_SUFFIX);
}

/** Whether a topic is a `.dlq` topic. */
export function isDlqTopic(topic: string): boolean {
  return topic.endsWith(DLQ_SUFFIX);
}

/** The topic a `.retry` / `.dlq` topic belongs to; other topics are returned unchanged. */
export function originTopicOf(topic: string): string {
  if (isRetryTopic(topic)) return topic.slice(0, -RETRY_SUFFIX.length);
  if (isDlqTopic(topic)) return topic.slice(0, -DLQ_SUFFIX.length);
  return topic;
}

// `x.retry.dlq` would be a topic nobody creates or reads: the record would be lost in plain sight.
function checkedOrigin(topic: string): string {
  if (topic.length === 0 || isRetryTopic(topic) || isDlqTopic(topic)) {
    throw new RangeError(`"${topic}" is not an origin topic (empty, or already a .retry/.dlq)`);
  }
  return topic;
}

export const RETRY_TOPICS = CONSUMED_TOPICS.map((t) => retryTopicOf(t));
export const DLQ_TOPICS = CONSUMED_TOPICS.map((t) => dlqTopicOf(t));

/** Consumer group ids: versioned, so a new consumer logic can start fresh without a rename. */
export const CONSUMER_GROUPS = {
  AGGREGATOR: 'aggregator.v1',
  DLQ_HANDLER: 'dlq-handler.v1',
  CDC_SINK: 'cdc-sink.v1',
  /** The retry forwarder needs a group of its own: kafkajs assigns partitions ignoring per-member subscriptions. */
  RETRY_FORWARDER: 'dlq-handler.retry-forwarder.v1',
} as const;

// ---------------------------------------------------------------- topic settings

/** One topic to create; `configEntries` are Kafka topic configs, values as strings. */
export interface TopicSettings {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configEntries: readonly { readonly name: string; readonly value: string }[];
}

export const DEFAULT_REPLICATION_FACTOR = 1;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const DATA_RETENTION_MS = 7 * DAY_MS;
export const AGGREGATE_RETENTION_MS = 30 * DAY_MS;
/** Dead letters wait for a human: 30 days covers a holiday and a slow investigation. */
export const DLQ_RETENTION_MS = 30 * DAY_MS;

type Cleanup =
  | { readonly policy: 'delete'; readonly retentionMs: number }
  | { readonly policy: 'compact'; readonly minCompactionLagMs: number };

const ORIGIN_TOPICS: readonly { topic: string; partitions: number; cleanup: Cleanup }[] = [
  { topic: TOPICS.TELEMETRY, partitions: 6, cleanup: deleteAfter(DATA_RETENTION_MS) },
  { topic: TOPICS.USER_ACTIVITY, partitions: 6, cleanup: deleteAfter(DATA_RETENTION_MS) },
  // Compacted: the latest row per device is the registry; a tombstone after a delete removes it.
  // One partition: every aggregator needs every device anyway (a table, not a stream).
  { topic: TOPICS.CDC_DEVICES, partitions: 1, cleanup: compactAfter(HOUR_MS) },
  { topic: TOPICS.TELEMETRY_1M, partitions: 6, cleanup: deleteAfter(AGGREGATE_RETENTION_MS) },
  { topic: TOPICS.TELEMETRY_5M, partitions: 6, cleanup: deleteAfter(AGGREGATE_RETENTION_MS) },
  { topic: TOPICS.USER_SESSIONS, partitions: 6, cleanup: deleteAfter(AGGREGATE_RETENTION_MS) },
  { topic: TOPICS.TELEMETRY_LATE, partitions: 3, cleanup: deleteAfter(DATA_RETENTION_MS) },
  // Same partition count as the telemetry input, so state partition n belongs to input partition n.
  { topic: TOPICS.AGGREGATOR_CHANGELOG, partitions: 6, cleanup: compactAfter(60_000) },
];

/** Every topic to create (TOPICS plus a `.retry` and `.dlq` per consumed topic), once each. */
export function topicSettings(replicationFactor = DEFAULT_REPLICATION_FACTOR): TopicSettings[] {
  const make = (name: string, partitions: number, cleanup: Cleanup): TopicSettings => ({
    name,
    partitions,
    replicationFactor,
    configEntries: [
      ...cleanupEntries(cleanup),
      // With acks=all, a write counts only once this many replicas have it.
      { name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor)) },
    ],
  });
  const settings = ORIGIN_TOPICS.map((t) => make(t.topic, t.partitions, t.cleanup));
  for (const origin of CONSUMED_TOPICS) {
    const partitions = ORIGIN_TOPICS.find((t) => t.topic === origin)?.partitions ?? 1;
    // Pending retries must outlive a dlq-handler outage; dead letters keep DLQ_RETENTION_MS.
    settings.push(make(retryTopicOf(origin), partitions, deleteAfter(DATA_RETENTION_MS)));
    settings.push(make(dlqTopicOf(origin), 1, deleteAfter(DLQ_RETENTION_MS)));
  }
  return settings;
}

export const TOPIC_SETTINGS: readonly TopicSettings[] = topicSettings();

/** The settings of one topic, or undefined if the topic is not ours. */
export function settingsOf(topic: string): TopicSettings | undefined {
  return TOPIC_SETTINGS.find((s) => s.name === topic);
}

/** The same settings in the shape kafkajs `admin.createTopics({ topics })` takes. */
export function toCreateTopicConfig(settings: TopicSettings): {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: { name: string; value: string }[];
} {
  return {
    topic: settings.name,
    numPartitions: settings.partitions,
    replicationFactor: settings.replicationFactor,
    configEntries: settings.configEntries.map((e) => ({ name: e.name, value: e.value })),
  };
}

function deleteAfter(retentionMs: number): Cleanup {
  return { policy: 'delete', retentionMs };
}

function compactAfter(minCompactionLagMs: number): Cleanup {
  return { policy: 'compact', minCompactionLagMs };
}

function cleanupEntries(cleanup: Cleanup): { name: string; value: string }[] {
  if (cleanup.policy === 'delete') {
    return [
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: String(cleanup.retentionMs) },
    ];
  }
  return [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'min.compaction.lag.ms', value: String(cleanup.minCompactionLagMs) },
    // Tombstones must survive long enough for every consumer to see the delete.
    { name: 'delete.retention.ms', value: String(DAY_MS) },
  ];
}
