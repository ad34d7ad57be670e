import type { KafkaMessage } from 'kafkajs';
import { classifyError } from '../../errors/processing-error';
import type { RejectedRecord, SinkChunk } from './sink-batch';
import type { SinkRecord, SinkTopic } from './sink-options';
import {
  inTransaction,
  isRetryableSqlError,
  type SqlClient,
  type SqlOffsetStore,
  type SqlPool,
} from './sql-offset-store';

/** The stored position was not the one this batch started from: another member moved it. */
export class FencedError extends Error {
  readonly code = 'SINK_FENCED';
  readonly retryable = false;

  constructor(topic: string, partition: number, expected: string | undefined) {
    super(`${topic}[${partition}] is no longer at offset ${expected ?? '(none)'} in the database`);
    this.name = 'FencedError';
  }
}

/** What one transaction writes. */
export interface ChunkTarget {
  sink: SinkTopic;
  group: string;
  partition: number;
  chunk: SinkChunk;
  /** The stored position the chunk starts from (undefined: no row yet). */
  expected: string | undefined;
  offsets: SqlOffsetStore;
}

/** Writes the records and moves the stored position, in the caller's transaction. */
export async function applyChunk(
  client: SqlClient,
  target: ChunkTarget,
  records: readonly SinkRecord<unknown>[],
): Promise<void> {
  const { sink, group, partition, chunk, expected } = target;
  if (records.length > 0) await sink.write(client, records);
  const position = { topic: sink.topic, partition, nextOffset: chunk.nextOffset };
  if (!(await target.offsets.save(client, group, position, expected))) {
    throw new FencedError(sink.topic, partition, expected);
  }
}

/**
 * Finds the records a table refuses (a permanent SQL error), each written alone behind a
 * savepoint, in a transaction that is always rolled back: the caller dead-letters them first and
 * then writes the rest, so a crash in between loses nothing.
 */
export async function findRefused(
  pool: SqlPool,
  sink: SinkTopic,
  records: readonly SinkRecord<unknown>[],
  sources: ReadonlyMap<string, KafkaMessage>,
): Promise<RejectedRecord[]> {
  const refused: RejectedRecord[] = [];
  const probe = new Error('probe rolled back');
  try {
    await inTransaction(pool, async (client) => {
      for (const record of records) {
        await client.query('SAVEPOINT sink_record');
        try {
          await sink.write(client, [record]);
          await client.query('RELEASE SAVEPOINT sink_record');
        } catch (error: unknown) {
          if (isRetryableSqlError(error)) throw error;
          await client.query('ROLLBACK TO SAVEPOINT sink_record');
          const message = sources.get(record.offset);
          if (message)
            refused.push({ message, failure: { ...classifyError(error), retryable: false } });
        }
      }
      throw probe;
    });
  } catch (error: unknown) {
    if (error !== probe) throw error;
  }
  return refused;
}
