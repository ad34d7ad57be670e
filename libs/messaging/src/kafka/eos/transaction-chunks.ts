import type { KafkaMessage } from 'kafkajs';

/** The records of one transaction and the offset it commits. */
export interface TransactionChunk {
  records: KafkaMessage[];
  firstOffset: string;
  lastOffset: string;
  /** The group offset to commit: the next record to read. */
  nextOffset: string;
}

/** Derives the transactional id that owns one input partition: prefix, topic, partition. */
export function transactionalIdFor(prefix: string, topic: string, partition: number): string {
  if (prefix.trim().length === 0) throw new RangeError('transactionalIdPrefix must not be empty');
  return `${prefix}-${topic}-${partition}`;
}

/**
 * Splits a fetched batch into transactions of at most `max` records. Each commits the offset
 * after its last record; the last one commits past `batchLastOffset`, which also covers the
 * control records (transaction markers) kafkajs filtered out at the end of the batch, so a
 * restart does not stop on them.
 */
export function chunkBatch(
  records: readonly KafkaMessage[],
  batchLastOffset: string,
  max: number,
): TransactionChunk[] {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be >= 1 (got ${max})`);
  const chunks: TransactionChunk[] = [];
  for (let start = 0; start < records.length; start += max) {
    const slice = records.slice(start, start + max);
    const first = slice[0] as KafkaMessage;
    const last = slice[slice.length - 1] as KafkaMessage;
    const isLast = start + max >= records.length;
    const end =
      isLast && BigInt(batchLastOffset) > BigInt(last.offset) ? batchLastOffset : last.offset;
    chunks.push({
      records: slice,
      firstOffset: first.offset,
      lastOffset: last.offset,
      nextOffset: (BigInt(end) + 1n).toString(),
    });
  }
  return chunks;
}
