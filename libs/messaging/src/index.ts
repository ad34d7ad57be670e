export * from './logging/messaging-logger';
export * from './errors/processing-error';
export * from './kafka/kafka-client';
export * from './kafka/topic-admin';
export * from './kafka/record-headers';
export * from './nats/nats-connection';
export * from './mqtt/mqtt-connection';
export * from './nats/nats-headers';
export * from './nats/jetstream-provisioner';
export * from './nats/jetstream-publisher';
export * from './nats/jetstream-retry-policy';
export * from './nats/jetstream-dead-letter';
export * from './nats/jetstream-message-handler';
export * from './nats/jetstream-worker';
export * from './nats/contract-kv';
export * from './mqtt/mqtt-topic-filter';
export * from './mqtt/mqtt-reconnect-backoff';
export * from './mqtt/mqtt-subscriber';
export { ContractConsumer } from './kafka/consumer/contract-consumer';
export type { ContractConsumerEvents } from './kafka/consumer/contract-consumer';
export {
  CONSUMER_DEFAULTS,
  defineHandler,
  rawValueDecoder,
} from './kafka/consumer/consumer-options';
export type {
  ContractConsumerOptions,
  HandlerRegistration,
  RecordContext,
  RecordHandler,
  ValueDecoder,
} from './kafka/consumer/consumer-options';
export type { PartitionRef, PauseReason } from './kafka/consumer/flow-control';
export { contractDecoder } from './kafka/consumer/handler-resolution';
export { RETRIES_EXHAUSTED, RetryForwarder } from './kafka/retry/retry-forwarder';
export type {
  RetryForwarderEvents,
  RetryForwarderOptions,
  RetryTopicPolicy,
} from './kafka/retry/retry-forwarder';
export {
  DEFAULT_PATTERN_REFRESH_MS,
  PatternSubscription,
  suffixPattern,
} from './kafka/topic-pattern/pattern-subscription';
export type {
  PatternRunner,
  PatternSubscriptionEvents,
  PatternSubscriptionOptions,
} from './kafka/topic-pattern/pattern-subscription';
export { KafkaBatchConsumer } from './kafka/batch/kafka-batch-consumer';
export type { KafkaBatchConsumerOptions, RecordBatch } from './kafka/batch/kafka-batch-consumer';
export { readPartitionRanges } from './kafka/topic-range-reader';
export type { PartitionRange } from './kafka/topic-range-reader';
export { assertValidBackoff, computeBackoffMs, DEFAULT_BACKOFF } from './kafka/retry/backoff';
export { sendUntilAcknowledged } from './kafka/retry/send-until-acknowledged';
export type {
  SendUntilAcknowledgedPolicy,
  SendUntilAcknowledgedResult,
} from './kafka/retry/send-until-acknowledged';
export { sleep, untilAborted } from './kafka/retry/abortable-wait';
export type { BackoffPolicy } from './kafka/retry/backoff';
export {
  DEFAULT_FAILURE_POLICY,
  resolveFailurePolicy,
  routeFailure,
} from './kafka/retry/failure-policy';
export type { FailurePolicy, FailurePolicyInput, FailureRoute } from './kafka/retry/failure-policy';
export {
  buildDeadLetterRecord,
  buildRetryRecord,
  headerValue,
  RETRY_GROUP_HEADER,
} from './kafka/retry/failure-headers';
export type { OutgoingFailureRecord } from './kafka/retry/failure-headers';
export { createDeadLetterProducer, KafkaDeadLetterSink } from './kafka/retry/dead-letter-publisher';
export type { DeadLetterSink } from './kafka/retry/dead-letter-publisher';
export { CONSUMER_METRIC_NAMES, ConsumerMetrics } from './kafka/metrics/consumer-metrics';
export { KafkaProducer } from './kafka/producer/kafka-producer';
export type { DeliveryCallback, DeliveryReport } from './kafka/producer/kafka-producer';
export { PRODUCER_DEFAULTS, resolveProducerOptions } from './kafka/producer/producer-options';
export type {
  KafkaProducerOptions,
  ProducerCompression,
  ResolvedProducerOptions,
} from './kafka/producer/producer-options';
export { encodeRecord } from './kafka/producer/producer-record';
export type { ContractRecord, KafkaRecord, RawRecord } from './kafka/producer/producer-record';
export {
  KafkaDeliveryTimeoutError,
  KafkaProducerBufferFullError,
  KafkaProducerClosedError,
  toSendError,
} from './kafka/producer/producer-errors';
export { partitionForKey } from './kafka/producer/stable-partitioner';
export { ExactlyOnceProcessor } from './kafka/eos/exactly-once-processor';
export { EOS_DEFAULTS, resolveEosOptions } from './kafka/eos/eos-options';
export type {
  EosFetchOptions,
  ExactlyOnceProcessorOptions,
  OutputRecord,
  OwnedPartition,
  PartitionContext,
  PunctuateFn,
  ResolvedEosOptions,
  TransformFn,
} from './kafka/eos/eos-options';
export { chunkBatch, transactionalIdFor } from './kafka/eos/transaction-chunks';
export type { TransactionChunk } from './kafka/eos/transaction-chunks';
export { readPartitionsToEnd } from './kafka/eos/changelog-reader';
export type { ReadToEndOptions, ReadToEndResult } from './kafka/eos/changelog-reader';
export { TransactionalSinkConsumer } from './kafka/transactional-sink/transactional-sink-consumer';
export type { TransactionalSinkEvents } from './kafka/transactional-sink/transactional-sink-consumer';
export { defineSinkTopic, SINK_DEFAULTS } from './kafka/transactional-sink/sink-options';
export type {
  SinkRecord,
  SinkTopic,
  TransactionalSinkOptions,
} from './kafka/transactional-sink/sink-options';
export {
  inTransaction,
  isRetryableSqlError,
  quoteQualifiedName,
  SqlOffsetStore,
} from './kafka/transactional-sink/sql-offset-store';
export type {
  SqlClient,
  SqlPool,
  SqlPoolClient,
  StoredPosition,
  TransactionOptions,
} from './kafka/transactional-sink/sql-offset-store';
