/**
 * The part of a SQL client the sink needs. `pg`'s `PoolClient` satisfies it structurally, so the
 * library has no driver dependency of its own.
 */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** A pooled connection: `release(error)` discards a broken one (pg's `PoolClient`). */
export interface SqlPoolClient extends SqlClient {
  release(error?: Error | boolean): void;
}

/** A connection pool (pg's `Pool`). */
export interface SqlPool {
  connect(): Promise<SqlPoolClient>;
}

/** One partition's position in the offsets table. */
export interface StoredPosition {
  topic: string;
  partition: number;
  /** The offset of the next record to apply. */
  nextOffset: string;
}

/** SQLSTATE classes no retry can fix: bad data, constraint violations, SQL that does not fit the row. */
const PERMANENT_SQLSTATE_CLASSES = ['22', '23', '42'];

/**
 * Whether a failed write may succeed later: connection failures (no SQLSTATE, class 08, server
 * shutting down 57P0x), too many connections (53), serialization failures and deadlocks (40) are;
 * data and constraint errors (22, 23, 42) are not, so the record that caused them is dead-lettered.
 */
export function isRetryableSqlError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return !PERMANENT_SQLSTATE_CLASSES.includes(code.slice(0, 2));
}

/** A quoted SQL identifier path: `analytics.kafka_offsets` → `"analytics"."kafka_offsets"`. */
export function quoteQualifiedName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name)) {
    throw new RangeError(`"${name}" is not a plain [schema.]table name`);
  }
  return name
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

/**
 * The consumer's positions in a table `(consumer_group, topic, partition, next_offset)` with that
 * primary key. A save is a compare-and-set on the position the batch started from: a member that
 * lost the partition in a rebalance (and does not know it yet) finds the row moved on, updates
 * nothing, and its whole transaction rolls back. That fences zombies without Kafka's help.
 */
export class SqlOffsetStore {
  private readonly table: string;

  constructor(table: string) {
    this.table = quoteQualifiedName(table);
  }

  /** The stored positions of a group on a topic. */
  async load(client: SqlClient, group: string, topic: string): Promise<Map<number, string>> {
    const result = await client.query(
      `SELECT partition, next_offset::text AS next_offset FROM ${this.table}
        WHERE consumer_group = $1 AND topic = $2`,
      [group, topic],
    );
    const positions = new Map<number, string>();
    for (const row of result.rows as Array<{ partition: number; next_offset: string }>) {
      positions.set(Number(row.partition), row.next_offset);
    }
    return positions;
  }

  /**
   * Moves a partition from `expected` (undefined: no row yet) to `next`, inside the caller's
   * transaction. Returns false when the stored position was not `expected`: the caller must roll back.
   */
  async save(
    client: SqlClient,
    group: string,
    position: StoredPosition,
    expected: string | undefined,
  ): Promise<boolean> {
    const { topic, partition, nextOffset } = position;
    if (expected === undefined) {
      const inserted = await client.query(
        `INSERT INTO ${this.table} (consumer_group, topic, partition, next_offset)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [group, topic, partition, nextOffset],
      );
      return inserted.rowCount === 1;
    }
    const updated = await client.query(
      `UPDATE ${this.table} SET next_offset = $4
        WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND next_offset = $5`,
      [group, topic, partition, nextOffset, expected],
    );
    return updated.rowCount === 1;
  }
}

/** How a transaction commits. */
export interface TransactionOptions {
  /**
   * false: COMMIT answers before the WAL reaches the disk (`synchronous_commit = off` for this
   * transaction only). A crash of Postgres may then undo the last transactions (never part of
   * one). Only for work that can be done again, such as rows whose source offsets commit with them.
   */
  synchronousCommit?: boolean;
}

/** Runs `work` in one transaction on a pooled connection; a broken connection is discarded. */
export async function inTransaction<T>(
  pool: SqlPool,
  work: (client: SqlClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(
      options.synchronousCommit === false ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN',
    );
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error: unknown) {
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (rollbackError: unknown) {
      // The connection is gone; pg must not hand it out again.
      client.release(rollbackError instanceof Error ? rollbackError : true);
    }
    throw error;
  }
}
