import { dlqTopicOf } from '@streamline/contracts';
import type { MessagingLogger } from '../../logging/messaging-logger';
import type { ConsumerMetrics } from '../metrics/consumer-metrics';
import { publishUntilAcknowledged, type DeadLetterSink } from '../retry/dead-letter-publisher';
import { buildDeadLetterRecord } from '../retry/failure-headers';
import type { RejectedRecord } from './sink-batch';

/** How often a dead-letter write that Kafka keeps refusing checks whether the batch is still wanted. */
const WATCH_EVERY_MS = 1_000;

export interface DeadLetterDeps {
  sink: DeadLetterSink;
  service: string;
  group: string;
  logger: MessagingLogger;
  metrics: ConsumerMetrics;
}

/**
 * Writes the dead letters of a partition's rejected records (original key, value and headers plus
 * the `dlq.*` headers and the reason) until Kafka acknowledges each; false once `stillWanted`
 * says the batch was given up (shutdown, rebalance): the records are then read again.
 */
export async function writeDeadLetters(
  deps: DeadLetterDeps,
  batch: { topic: string; partition: number; rejected: readonly RejectedRecord[] },
  stillWanted: () => boolean,
): Promise<boolean> {
  if (batch.rejected.length === 0) return true;
  const { topic, partition } = batch;
  const abort = new AbortController();
  const watch = setInterval(() => {
    if (!stillWanted()) abort.abort();
  }, WATCH_EVERY_MS);
  try {
    for (const { message, failure } of batch.rejected) {
      const record = buildDeadLetterRecord({
        message,
        originTopic: topic,
        originPartition: partition,
        service: deps.service,
        errorClass: failure.errorClass,
        errorMessage: failure.message,
        attempts: 1,
      });
      const written = await publishUntilAcknowledged(
        deps.sink,
        dlqTopicOf(topic),
        record,
        abort.signal,
        deps.logger,
      );
      if (!written) return false;
      deps.metrics.topic(topic).deadLettered();
      deps.logger.warn(
        { group: deps.group, topic, partition, offset: message.offset, reason: failure.message },
        'record cannot be written; sent to the dead-letter topic',
      );
    }
    return true;
  } finally {
    clearInterval(watch);
  }
}
