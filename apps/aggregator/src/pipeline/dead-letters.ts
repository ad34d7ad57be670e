import type { KafkaMessage } from 'kafkajs';
import { dlqTopicOf } from '@streamline/contracts';
import { buildDeadLetterRecord, type RawRecord } from '@streamline/messaging';

/** Error classes of the records the aggregator dead-letters (header `dlq.error.class`). */
export const DEAD_LETTER_CLASSES = {
  CONTRACT: 'ContractViolationError',
  FUTURE: 'FutureEventTimeError',
  LATE_EVENT: 'LateEventError',
} as const;

/** The `.dlq` record of an input record, an output of the same transaction as the offsets. */
export function deadLetterOf(
  service: string,
  topic: string,
  partition: number,
  message: KafkaMessage,
  errorClass: string,
  errorMessage: string,
): RawRecord {
  const failure = buildDeadLetterRecord({
    message,
    originTopic: topic,
    originPartition: partition,
    service,
    errorClass,
    errorMessage,
    attempts: 1,
  });
  return { topic: dlqTopicOf(topic), ...failure } as RawRecord;
}
