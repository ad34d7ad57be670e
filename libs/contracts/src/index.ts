// Public API of @streamline/contracts: message schemas, their types and contracts, and the wire
// names (topics, headers, subjects). Types are re-exported with `export type` for isolatedModules.

export {
  MAX_EPOCH_MS,
  MIN_EPOCH_MS,
  epochMsSchema,
  normalizeTimestamp,
  timestampSchema,
  toEpochMs,
  toIsoString,
} from './common/timestamp';
export type { TimestampResult } from './common/timestamp';
export {
  DEVICE_ID_PATTERN,
  EVENT_TYPE_PATTERN,
  METRIC_NAME_PATTERN,
  USER_ID_PATTERN,
  deviceIdSchema,
  eventTypeSchema,
  isSafeDeviceId,
  metricNameSchema,
  userIdSchema,
} from './common/identifiers';

export {
  ContractViolationError,
  decodeJson,
  decodeUtf8,
  defineContract,
  formatIssues,
  formatPath,
  parseJson,
  parseOrThrow,
  serializeJson,
  toContractIssues,
  toJsonSchema,
  validate,
  validateSchema,
  validateParsed,
} from './contract';
export { compiledCheckOf } from './compiled-validator';
export type { CompiledCheck } from './compiled-validator';
export type {
  Contract,
  ContractIssue,
  ContractInput,
  ContractValue,
  DefinedContract,
  JsonSchema,
  ValidationResult,
} from './contract';

export {
  MAX_METRICS_PER_READING,
  telemetryContract,
  telemetryMetricsSchema,
  telemetryReadingContract,
  telemetryReadingSchema,
  telemetryRecordFromMqtt,
  telemetryRecordSchema,
  toTelemetryRecord,
} from './messages/telemetry/telemetry.schema';
export type {
  TelemetryMetrics,
  TelemetryReading,
  TelemetryReadingInput,
  TelemetryRecord,
} from './messages/telemetry/telemetry.schema';

export {
  userActivityContract,
  userActivityInputContract,
  userActivityInputSchema,
  userActivityPropertiesSchema,
  userActivitySchema,
} from './messages/user-activity/user-activity.schema';
export type {
  UserActivity,
  UserActivityInput,
  UserActivityProperties,
} from './messages/user-activity/user-activity.schema';

export {
  deviceContract,
  deviceCreateInputContract,
  deviceCreateInputSchema,
  deviceKeySchema,
  deviceRowSchema,
  deviceSchema,
  deviceUpdateInputContract,
  deviceUpdateInputSchema,
  thresholdSchema,
  thresholdsSchema,
} from './messages/device/device.schema';
export type {
  Device,
  DeviceCreate,
  DeviceCreateInput,
  DeviceKey,
  DeviceUpdate,
  DeviceUpdateInput,
  Threshold,
  Thresholds,
} from './messages/device/device.schema';

export {
  CDC_OPERATIONS,
  cdcEnvelopeContract,
  cdcEnvelopeSchema,
  cdcSourceSchema,
  deviceChangeContract,
  deviceChangeSchema,
  deviceIdOfChange,
  genericCdcEnvelopeSchema,
  isConnectJsonWrapper,
  parseCdcValue,
  unwrapConnectJson,
  withConnectWrapper,
} from './messages/cdc-envelope/cdc-envelope.schema';
export type {
  CdcEnvelope,
  CdcOperation,
  CdcSource,
  DeviceChange,
} from './messages/cdc-envelope/cdc-envelope.schema';

export {
  TELEMETRY_WINDOW_MS,
  metricAggregateSchema,
  telemetryWindow5mContract,
  telemetryWindowContract,
  telemetryWindowSchema,
  windowIdOf,
  windowStartOf,
} from './messages/telemetry-window/telemetry-window.schema';
export {
  LATE_REASONS,
  lateReadingContract,
  lateReadingSchema,
} from './messages/late-reading/late-reading.schema';
export type { LateReading } from './messages/late-reading/late-reading.schema';
export type {
  MetricAggregate,
  TelemetryWindow,
} from './messages/telemetry-window/telemetry-window.schema';

export {
  sessionIdOf,
  userSessionContract,
  userSessionSchema,
} from './messages/user-session/user-session.schema';
export type { UserSession } from './messages/user-session/user-session.schema';

export {
  ALERT_ID_PATTERN,
  ALERT_RULES,
  alertContract,
  alertIdOf,
  alertSchema,
} from './messages/alert/alert.schema';
export type { Alert } from './messages/alert/alert.schema';

export {
  DEVICE_STATUSES,
  devicePresenceContract,
  devicePresenceFromMqtt,
  devicePresenceSchema,
  deviceStatusContract,
  deviceStatusPayloadSchema,
  statusOfPayload,
} from './messages/device-presence/device-presence.schema';
export type {
  DevicePresence,
  DeviceStatus,
} from './messages/device-presence/device-presence.schema';

export {
  AGGREGATE_RETENTION_MS,
  CONSUMED_TOPICS,
  CONSUMER_GROUPS,
  DATA_RETENTION_MS,
  DEFAULT_REPLICATION_FACTOR,
  DLQ_RETENTION_MS,
  DLQ_SUFFIX,
  DLQ_TOPICS,
  RETRY_SUFFIX,
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
} from './topics/topics';
export type { TopicName, TopicSettings } from './topics/topics';
export { TOPIC_OWNERS, topicOwnerOf, topicsOwnedBy } from './topics/topic-owners';
export {
  KV_CONTRACTS,
  STREAM_CONTRACTS,
  TOPIC_CONTRACTS,
  contractForTopic,
} from './topics/topic-contracts';

export {
  CONTENT_TYPE_JSON,
  HEADERS,
  MQTT_ORIGIN_PREFIX,
  contractHeaders,
  mqttOrigin,
} from './headers/headers';
export type { HeaderName } from './headers/headers';
export { traceparentOf } from './headers/traceparent';

export {
  JETSTREAM_CONSUMERS,
  KV_BUCKETS,
  KV_SETTINGS,
  MQTT_SHARE_GROUP,
  MQTT_TOPICS,
  STREAMS,
  STREAM_SETTINGS,
  SUBJECTS,
  alertSubject,
  deviceIdFromAlertSubject,
  dlqReceivedSubject,
  deviceIdFromMqttTopic,
  mqttStatusTopic,
  mqttTelemetryTopic,
  nanos,
  parseMqttTopic,
} from './subjects/subjects';
export type { KvSettings, MqttTopicKind, StreamSettings } from './subjects/subjects';
export { CONTRACTS, contractBySchemaId } from './contract-registry';
export {
  DEAD_LETTER_STREAM,
  DEAD_LETTER_STREAM_SETTINGS,
  DEAD_LETTER_SUBJECTS,
  JETSTREAM_CONSUMER_SETTINGS,
  NATS_DLQ_HEADERS,
  NATS_ORIGIN_PREFIX,
  NATS_TOKEN_PATTERN,
  RPC_SUBJECTS,
  deadLetterSubject,
  natsOrigin,
  rpcSubject,
} from './subjects/subjects';
export type { ConsumerSettings } from './subjects/subjects';
