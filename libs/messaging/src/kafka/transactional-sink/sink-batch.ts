import { ContractViolationError } from '@streamline/contracts';
import type { KafkaMessage } from 'kafkajs';
import { classifyError, type ErrorClassification } from '../../errors/processing-error';
import type { SinkRecord, SinkTopic } from './sink-options';

/** A record that cannot be written, and why. */
export interface RejectedRecord {
  message: KafkaMessage;
  failure: ErrorClassification;
}

/** One transaction's worth of a partition: what to write, what to dead-letter, where it ends. */
export interface SinkChunk {
  records: SinkRecord<unknown>[];
  /** The fetched message of each record, by offset (for its dead letter if the table refuses it). */
  sources: Map<string, KafkaMessage>;
  rejected: RejectedRecord[];
  /** Offset after the chunk's last record: the partition's position once the chunk commits. */
  nextOffset: string;
  size: number;
}

/**
 * Splits fetched messages (offset order) into chunks of at most `maxRecords`, decoding each:
 * tombstones are dropped (their offset still counts), undecodable values become rejections.
 * Messages below `from` were applied already and are skipped.
 */
export function splitIntoChunks(
  sink: SinkTopic,
  partition: number,
  messages: readonly KafkaMessage[],
  from: string | undefined,
  maxRecords: number,
): SinkChunk[] {
  const chunks: SinkChunk[] = [];
  // Fetched messages are in offset order: what was applied already is a prefix.
  let start = 0;
  if (from !== undefined) {
    const floor = BigInt(from);
    while (start < messages.length && BigInt((messages[start] as KafkaMessage).offset) < floor) {
      start++;
    }
  }
  for (let at = start; at < messages.length; at += maxRecords) {
    const end = Math.min(messages.length, at + maxRecords);
    const last = messages[end - 1] as KafkaMessage;
    const chunk: SinkChunk = {
      records: [],
      sources: new Map(),
      rejected: [],
      nextOffset: (BigInt(last.offset) + 1n).toString(),
      size: end - at,
    };
    for (let i = at; i < end; i++) {
      const rejection = decodeInto(chunk, sink, partition, messages[i] as KafkaMessage);
      if (rejection) chunk.rejected.push(rejection);
    }
    chunks.push(chunk);
  }
  return chunks;
}

function decodeInto(
  chunk: SinkChunk,
  sink: SinkTopic,
  partition: number,
  message: KafkaMessage,
): RejectedRecord | undefined {
  try {
    const decoded = sink.decode(message.value);
    if (!decoded.ok) {
      const schema = `${sink.topic} value`;
      return {
        message,
        failure: classifyError(new ContractViolationError(schema, decoded.issues)),
      };
    }
    if (decoded.value === null) return undefined;
    chunk.sources.set(message.offset, message);
    chunk.records.push({
      value: decoded.value,
      topic: sink.topic,
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
      timestamp: message.timestamp,
    });
    return undefined;
  } catch (error: unknown) {
    // A decoder that throws rejects its record; the partition moves on.
    return { message, failure: { ...classifyError(error), retryable: false } };
  }
}
