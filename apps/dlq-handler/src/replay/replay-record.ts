import { HEADERS, MQTT_ORIGIN_PREFIX, isDlqTopic, isRetryTopic } from '@streamline/contracts';
import type { RawRecord } from '@streamline/messaging';
import type { DeadLetterRow } from '../dead-letters/dead-letter-row';

const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/** Header names that describe the failure, not the record: a replay starts afresh without them. */
function isFailureHeader(name: string): boolean {
  return name.startsWith('retry.') || name.startsWith('dlq.');
}

/** Whether `topic` can take a replay: a Kafka topic name, and not a `.retry`/`.dlq` topic. */
export function isReplayableTopic(topic: string): boolean {
  return KAFKA_TOPIC.test(topic) && !isRetryTopic(topic) && !isDlqTopic(topic);
}

/** Where a dead letter replays to: the given target, else its origin when that is a Kafka topic. */
export function replayTargetOf(
  row: Pick<DeadLetterRow, 'origin_topic'>,
  targetTopic?: string,
): string | undefined {
  if (targetTopic !== undefined) return targetTopic;
  if (row.origin_topic.startsWith(MQTT_ORIGIN_PREFIX)) return undefined;
  return isReplayableTopic(row.origin_topic) ? row.origin_topic : undefined;
}

/**
 * The record a replay sends: the original key, value (or the corrected one) and headers,
 * without the `retry.*`/`dlq.*` failure headers (a replayed record is a first delivery for
 * every group), plus `dlq.replay-count`, `dlq.replay-of` and, for bulk replays, `dlq.replay-id`.
 * A repeated header name keeps its last value.
 */
export function buildReplayRecord(
  row: Pick<DeadLetterRow, 'id' | 'key' | 'value' | 'headers' | 'replay_count'>,
  topic: string,
  options: { correctedValue?: Buffer; replayId?: string } = {},
): RawRecord {
  const headers: Record<string, Buffer> = {};
  for (const [name, base64] of row.headers) {
    if (!isFailureHeader(name)) headers[name] = Buffer.from(base64, 'base64');
  }
  headers[HEADERS.DLQ_REPLAY_COUNT] = Buffer.from(String(row.replay_count + 1));
  headers[HEADERS.DLQ_REPLAY_OF] = Buffer.from(String(row.id));
  if (options.replayId !== undefined)
    headers[HEADERS.DLQ_REPLAY_ID] = Buffer.from(options.replayId);
  return {
    topic,
    key: row.key,
    value: options.correctedValue ?? row.value,
    headers,
  };
}
