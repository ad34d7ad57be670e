import { DEVICE_ID_PATTERN, isSafeDeviceId } from '../common/identifiers';
import { ContractViolationError } from '../contract';

// ---------------------------------------------------------------- NATS JetStream

/** JetStream stream names: explicit, versioned by their settings, never derived from code names. */
export const STREAMS = {
  /** Telemetry alerts published by the aggregator, consumed by cdc-sink. */
  ALERTS: 'ALERTS',
  /** Commands asking dlq-handler to replay dead letters; each command is processed once. */
  DLQ_REPLAY: 'DLQ_REPLAY',
} as const;

export const SUBJECTS = {
  ALERTS_PREFIX: 'alerts.telemetry.',
  /** Every alert subject: the ALERTS stream binds this. */
  ALERTS_ALL: 'alerts.telemetry.>',
  DLQ_REPLAY_COMMANDS: 'dlq.replay.commands',
  /** `dlq.received.<origin topic>`: core NATS announcements of new dead letters. */
  DLQ_RECEIVED_PREFIX: 'dlq.received.',
  DLQ_RECEIVED_ALL: 'dlq.received.>',
} as const;

/**
 * `dlq.received.<origin topic>`. Kafka topic names are safe subject text (their dots become
 * tokens: subscribe to `dlq.received.>`); characters NATS reserves in an `mqtt:` origin
 * (space, `*`, `>`) and empty tokens are replaced with `_`.
 */
export function dlqReceivedSubject(originTopic: string): string {
  const safe = originTopic
    .replace(/[\s*>]/g, '_')
    .split('.')
    .map((token) => (token.length === 0 ? '_' : token))
    .join('.');
  return `${SUBJECTS.DLQ_RECEIVED_PREFIX}${safe}`;
}

/** NATS KV buckets. Key = deviceId (safe: DEVICE_ID_PATTERN is a subset of KV key characters). */
export const KV_BUCKETS = {
  DEVICE_PRESENCE: 'device-presence',
} as const;

/** Durable JetStream consumer names: they hold the position, so a rename would replay everything. */
export const JETSTREAM_CONSUMERS = {
  CDC_SINK_ALERTS: 'cdc-sink-alerts-v1',
  DLQ_HANDLER_REPLAY: 'dlq-handler-replay-v1',
} as const;

const NANOS_PER_MS = 1_000_000;
/** nats.js expresses stream durations in nanoseconds. */
export function nanos(ms: number): number {
  return ms * NANOS_PER_MS;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * Stream settings with the field names and enum values of nats.js `StreamConfig`
 * (`storage: 'file'` = StorageType.File, `retention: 'limits'` = RetentionPolicy.Limits, ...),
 * so a service can pass them through without this library importing nats.
 */
export interface StreamSettings {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly storage: 'file' | 'memory';
  readonly retention: 'limits' | 'interest' | 'workqueue';
  readonly discard: 'old' | 'new';
  /** Nanoseconds. */
  readonly max_age: number;
  /** Nanoseconds: a repeated `Nats-Msg-Id` within this window is dropped. */
  readonly duplicate_window: number;
  readonly num_replicas: number;
}

export const STREAM_SETTINGS: Readonly<Record<keyof typeof STREAMS, StreamSettings>> = {
  ALERTS: {
    name: STREAMS.ALERTS,
    subjects: [SUBJECTS.ALERTS_ALL],
    storage: 'file',
    retention: 'limits',
    discard: 'old',
    max_age: nanos(7 * DAY_MS),
    // Covers an aggregator restart that re-emits alerts of the windows it recomputes.
    duplicate_window: nanos(2 * MINUTE_MS),
    num_replicas: 1,
  },
  DLQ_REPLAY: {
    name: STREAMS.DLQ_REPLAY,
    subjects: [SUBJECTS.DLQ_REPLAY_COMMANDS],
    storage: 'file',
    // A work queue deletes a command once acknowledged: each replay runs once.
    retention: 'workqueue',
    discard: 'old',
    max_age: nanos(1 * DAY_MS),
    duplicate_window: nanos(2 * MINUTE_MS),
    num_replicas: 1,
  },
};

/** KV settings with nats.js `KvOptions` names (`ttl` in milliseconds, 0 = keep). */
export interface KvSettings {
  readonly bucket: string;
  readonly history: number;
  readonly storage: 'file' | 'memory';
  readonly ttl: number;
  readonly replicas: number;
}

export const KV_SETTINGS: Readonly<Record<keyof typeof KV_BUCKETS, KvSettings>> = {
  // Only the latest presence matters; an offline device stays visible as offline (no ttl).
  DEVICE_PRESENCE: {
    bucket: KV_BUCKETS.DEVICE_PRESENCE,
    history: 1,
    storage: 'file',
    ttl: 0,
    replicas: 1,
  },
};

// ---------------------------------------------------------------- NATS consumers, dead letters, RPC

/**
 * Durable pull-consumer settings with nats.js `ConsumerConfig` names (`ack_wait` in ns).
 * `max_deliver` is the handler attempts plus one: the spare delivery only dead-letters a
 * message whose last attempt never reported back (a crash, an expired `ack_wait`).
 */
export interface ConsumerSettings {
  readonly stream: string;
  readonly durable_name: string;
  readonly filter_subject?: string;
  readonly ack_policy: 'explicit';
  readonly deliver_policy: 'all' | 'new';
  /** Nanoseconds a delivery may stay unacknowledged before the server redelivers it. */
  readonly ack_wait: number;
  readonly max_deliver: number;
  /** Unacknowledged messages across all instances of the consumer; bounds in-flight work. */
  readonly max_ack_pending: number;
}

export const JETSTREAM_CONSUMER_SETTINGS: Readonly<
  Record<keyof typeof JETSTREAM_CONSUMERS, ConsumerSettings>
> = {
  CDC_SINK_ALERTS: {
    stream: STREAMS.ALERTS,
    durable_name: JETSTREAM_CONSUMERS.CDC_SINK_ALERTS,
    filter_subject: SUBJECTS.ALERTS_ALL,
    ack_policy: 'explicit',
    deliver_policy: 'all',
    ack_wait: nanos(30_000),
    max_deliver: 6,
    max_ack_pending: 256,
  },
  DLQ_HANDLER_REPLAY: {
    stream: STREAMS.DLQ_REPLAY,
    durable_name: JETSTREAM_CONSUMERS.DLQ_HANDLER_REPLAY,
    filter_subject: SUBJECTS.DLQ_REPLAY_COMMANDS,
    ack_policy: 'explicit',
    deliver_policy: 'all',
    // A replay may move many records: a longer lease, fewer at a time.
    ack_wait: nanos(2 * MINUTE_MS),
    max_deliver: 6,
    max_ack_pending: 16,
  },
};

/** JetStream messages that no consumer could process: the NATS sibling of Kafka's `.dlq` topics. */
export const DEAD_LETTER_STREAM = 'DEAD_LETTERS';

export const DEAD_LETTER_SUBJECTS = {
  PREFIX: 'deadletter',
  /** Every dead-letter subject: the DEAD_LETTERS stream binds this. */
  ALL: 'deadletter.>',
} as const;

export const DEAD_LETTER_STREAM_SETTINGS: StreamSettings = {
  name: DEAD_LETTER_STREAM,
  subjects: [DEAD_LETTER_SUBJECTS.ALL],
  storage: 'file',
  retention: 'limits',
  discard: 'old',
  // As long as Kafka dead letters: someone has to look at them.
  max_age: nanos(14 * DAY_MS),
  // A consumer that crashes between dead-lettering and `term` dead-letters again: dropped.
  duplicate_window: nanos(2 * MINUTE_MS),
  num_replicas: 1,
};

/**
 * Headers a NATS dead letter carries besides the shared `dlq.*` ones (`dlq.origin.topic` is
 * `nats:<subject>`, `dlq.origin.offset` the stream sequence, like Kafka's).
 */
export const NATS_DLQ_HEADERS = {
  ORIGIN_STREAM: 'dlq.origin.stream',
  ORIGIN_CONSUMER: 'dlq.origin.consumer',
  ORIGIN_SUBJECT: 'dlq.origin.subject',
} as const;

/** Prefix of `dlq.origin.topic` for messages that came from a JetStream subject. */
export const NATS_ORIGIN_PREFIX = 'nats:';

/** `dlq.origin.topic` value for a JetStream message: `nats:alerts.telemetry.abc`. */
export function natsOrigin(subject: string): string {
  return `${NATS_ORIGIN_PREFIX}${subject}`;
}

/** Stream, consumer and service names that are one subject token: no `.`, wildcard or space. */
export const NATS_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** `deadletter.<stream>.<consumer>`; `prefix` lets tests use subjects of their own. */
export function deadLetterSubject(
  stream: string,
  consumer: string,
  prefix: string = DEAD_LETTER_SUBJECTS.PREFIX,
): string {
  return `${prefix}.${checkedToken(stream, 'stream')}.${checkedToken(consumer, 'consumer')}`;
}

/** Core NATS request-reply subjects, answered by Nest `@MessagePattern` handlers. */
export const RPC_SUBJECTS = {
  PREFIX: 'streamline.rpc',
  ALL: 'streamline.rpc.>',
} as const;

/** `streamline.rpc.<service>.<method>`, e.g. `streamline.rpc.dlq-handler.replay`. */
export function rpcSubject(service: string, method: string): string {
  return `${RPC_SUBJECTS.PREFIX}.${checkedToken(service, 'service')}.${checkedToken(method, 'method')}`;
}

function checkedToken(value: string, path: string): string {
  if (NATS_TOKEN_PATTERN.test(value)) return value;
  throw new ContractViolationError('nats.subject/1', [
    {
      path,
      message: `unsafe as a NATS subject token (must match ${NATS_TOKEN_PATTERN.source})`,
      code: 'invalid_format',
    },
  ]);
}

/** The subject of a device's alerts; rejects ids that would add tokens or wildcards. */
export function alertSubject(deviceId: string): string {
  if (!isSafeDeviceId(deviceId)) {
    throw new ContractViolationError('alerts.telemetry/1', [
      {
        path: 'deviceId',
        message: `unsafe as a NATS subject token (must match ${DEVICE_ID_PATTERN.source})`,
        code: 'invalid_format',
      },
    ]);
  }
  return `${SUBJECTS.ALERTS_PREFIX}${deviceId}`;
}

/** The device of an alert subject, or undefined if the subject is not a device alert subject. */
export function deviceIdFromAlertSubject(subject: string): string | undefined {
  if (!subject.startsWith(SUBJECTS.ALERTS_PREFIX)) return undefined;
  const deviceId = subject.slice(SUBJECTS.ALERTS_PREFIX.length);
  return isSafeDeviceId(deviceId) ? deviceId : undefined;
}

// ---------------------------------------------------------------- MQTT

export const MQTT_TOPICS = {
  /** What devices publish to, one topic per device. */
  TELEMETRY: 'sensors/+/telemetry',
  /** The ingestor's shared subscription: the broker spreads readings over its instances. */
  TELEMETRY_SHARED: '$share/iot-ingestor/sensors/+/telemetry',
  /** Birth message and Last Will (`online` / `offline`). */
  STATUS: 'sensors/+/status',
} as const;

export const MQTT_SHARE_GROUP = 'iot-ingestor';

export type MqttTopicKind = 'telemetry' | 'status';

/** `sensors/<deviceId>/telemetry`; throws for an id that is not a safe topic level. */
export function mqttTelemetryTopic(deviceId: string): string {
  return `sensors/${checkedMqttDeviceId(deviceId)}/telemetry`;
}

/** `sensors/<deviceId>/status`; throws for an id that is not a safe topic level. */
export function mqttStatusTopic(deviceId: string): string {
  return `sensors/${checkedMqttDeviceId(deviceId)}/status`;
}

/** Splits `sensors/<deviceId>/(telemetry|status)`; undefined for other topics or unsafe ids. */
export function parseMqttTopic(
  topic: string,
): { readonly deviceId: string; readonly kind: MqttTopicKind } | undefined {
  const levels = topic.split('/');
  if (levels.length !== 3 || levels[0] !== 'sensors') return undefined;
  const [, deviceId, kind] = levels;
  if (!isSafeDeviceId(deviceId)) return undefined;
  if (kind !== 'telemetry' && kind !== 'status') return undefined;
  return { deviceId, kind };
}

/** `deviceIdFromMqttTopic('sensors/abc/telemetry')` → `'abc'`; undefined if not a device topic. */
export function deviceIdFromMqttTopic(topic: string): string | undefined {
  return parseMqttTopic(topic)?.deviceId;
}

function checkedMqttDeviceId(deviceId: string): string {
  if (isSafeDeviceId(deviceId)) return deviceId;
  throw new ContractViolationError('iot.telemetry.reading/1', [
    {
      path: 'deviceId',
      message: `unsafe as an MQTT topic level (must match ${DEVICE_ID_PATTERN.source})`,
      code: 'invalid_format',
    },
  ]);
}
