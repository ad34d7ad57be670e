import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { Contract } from '@streamline/contracts';
import type { FailurePolicyInput, ValueDecoder } from '@streamline/messaging';
import { KafkaErrorPassthroughFilter } from './kafka-error-passthrough.filter';

/** Transport id of KafkaConsumerServer: `@KafkaHandler` methods bind to it and to no other transport. */
export const KAFKA_CONSUMER_TRANSPORT = Symbol('streamline:kafka-consumer');

/** Key of the handler options among the EventPattern extras. */
export const KAFKA_HANDLER_EXTRAS = 'streamlineKafkaHandler';

/** Per-handler options of `@KafkaHandler`. */
export interface KafkaHandlerOptions<T = unknown> {
  /** The contract of the values; defaults to `contractForTopic(topic)`. */
  contract?: Contract<T>;
  /** A decoder instead of the contract's JSON parser (e.g. tombstone-aware CDC decoding). */
  decode?: ValueDecoder<T>;
  /** maxAttempts, retries on/off and backoff of this handler. */
  failurePolicy?: FailurePolicyInput;
}

/**
 * Marks a controller method as the handler of a Kafka topic. The method receives the value
 * already validated against the topic's contract (`@Payload()`) and a KafkaRecordContext
 * (`@Ctx()`); throwing fails the record, and the failure policy routes it to `.retry` or `.dlq`.
 */
export function KafkaHandler(topic: string, options: KafkaHandlerOptions = {}): MethodDecorator {
  return applyDecorators(
    EventPattern(topic, KAFKA_CONSUMER_TRANSPORT, { [KAFKA_HANDLER_EXTRAS]: options }),
    UseFilters(new KafkaErrorPassthroughFilter()),
  );
}
