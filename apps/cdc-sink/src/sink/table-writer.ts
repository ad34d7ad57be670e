import { quoteQualifiedName, type SqlClient } from '@streamline/messaging';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type ColumnType =
  'text' | 'timestamptz' | 'bigint' | 'integer' | 'double precision' | 'jsonb';

/** How rows of one table are upserted. */
export interface TableSpec {
  /** `schema.table`. */
  table: string;
  columns: ReadonlyArray<{ name: string; type: ColumnType }>;
  /** The conflict target: the unique key. */
  key: readonly string[];
  /** `update` overwrites the row (upsert); `ignore` keeps the first one (insert once). */
  onConflict: 'update' | 'ignore';
  /** Condition on the update, over `t` (the stored row) and `EXCLUDED`. */
  updateWhere?: string;
  /** Condition a new row must meet to be written at all, over `v` (the incoming row). */
  insertWhere?: string;
}

/** A row's values in the order of `TableSpec.columns`; jsonb as JSON text, times as ISO-8601. */
export type RowValues = ReadonlyArray<string | number | null>;

/**
 * `unnest`: one INSERT … SELECT FROM unnest(arrays); `copy`: COPY straight into the table when no
 * row exists yet, else COPY into a staging table and merge.
 */
export type WriteMode = 'unnest' | 'copy';

/** SQLSTATE of a duplicate key. */
const UNIQUE_VIOLATION = '23505';

/**
 * Writes many rows in one statement (or one COPY and one statement) instead of one per row. The
 * rows must have distinct keys (ON CONFLICT cannot touch one row twice): callers keep the last
 * change per key.
 */
export class TableWriter {
  private readonly table: string;
  private readonly columnList: string;
  private readonly conflict: string;
  private readonly unnestSql: string;
  private readonly stage: string;
  private readonly mergeSql: string;
  /** Connections on which the staging table exists (temporary tables live per session). */
  private readonly staged = new WeakSet<object>();
  /** Rows written by COPY straight into the table, and through the staging table and merge. */
  readonly counts = { direct: 0, merged: 0 };

  constructor(
    private readonly spec: TableSpec,
    private readonly mode: WriteMode,
  ) {
    this.table = quoteQualifiedName(spec.table);
    const names = spec.columns.map((c) => `"${c.name}"`);
    this.columnList = names.join(', ');
    this.conflict = this.conflictClause();
    const arrays = spec.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
    const where = spec.insertWhere ? ` WHERE ${spec.insertWhere}` : '';
    this.unnestSql =
      `INSERT INTO ${this.table} AS t (${this.columnList}) ` +
      `SELECT ${this.columnList} FROM unnest(${arrays}) AS v(${this.columnList})${where} ${this.conflict}`;
    this.stage = `"sink_stage_${spec.table.replace('.', '_')}"`;
    // Emptying the stage in the same statement (DELETE … RETURNING) keeps it empty for the next
    // write of the same transaction, without a TRUNCATE (a new relation file every time).
    this.mergeSql =
      `WITH v AS (DELETE FROM ${this.stage} RETURNING ${this.columnList}) ` +
      `INSERT INTO ${this.table} AS t (${this.columnList}) ` +
      `SELECT ${this.columnList} FROM v${where} ${this.conflict}`;
  }

  /** Upserts the rows inside the caller's transaction. */
  async write(client: SqlClient, rows: readonly RowValues[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.mode === 'copy') return this.writeByCopy(client as unknown as PoolClient, rows);
    const arrays = this.spec.columns.map((_, i) => rows.map((row) => row[i] ?? null));
    await client.query(this.unnestSql, arrays);
  }

  /**
   * COPY straight into the table when none of the rows exists yet (new windows, sessions and
   * alerts: the usual case), behind a savepoint; a unique violation rolls back to it and the rows
   * take the slower path, COPY into the staging table and one merge statement. Tables with an
   * insert condition (the devices' tombstone guard) always merge.
   */
  private async writeByCopy(client: PoolClient, rows: readonly RowValues[]): Promise<void> {
    const csv = rows.map(toCsvLine).join('');
    if (!this.spec.insertWhere) {
      await client.query('SAVEPOINT sink_direct_copy');
      try {
        await copyCsv(
          client,
          `COPY ${this.table} (${this.columnList}) FROM STDIN (FORMAT csv)`,
          csv,
        );
        await client.query('RELEASE SAVEPOINT sink_direct_copy');
        this.counts.direct += rows.length;
        return;
      } catch (error: unknown) {
        if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
        await client.query('ROLLBACK TO SAVEPOINT sink_direct_copy');
      }
    }
    if (!this.staged.has(client)) {
      const columns = this.spec.columns.map((c) => `"${c.name}" ${c.type}`).join(', ');
      // Temporary: no WAL, private to the connection, created once per connection.
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS ${this.stage} (${columns}) ON COMMIT DELETE ROWS`,
      );
      this.staged.add(client);
    }
    await copyCsv(client, `COPY ${this.stage} (${this.columnList}) FROM STDIN (FORMAT csv)`, csv);
    await client.query(this.mergeSql);
    this.counts.merged += rows.length;
  }

  private conflictClause(): string {
    const key = this.spec.key.map((k) => `"${k}"`).join(', ');
    if (this.spec.onConflict === 'ignore') return `ON CONFLICT (${key}) DO NOTHING`;
    const set = this.spec.columns
      .filter((c) => !this.spec.key.includes(c.name))
      .map((c) => `"${c.name}" = EXCLUDED."${c.name}"`)
      .join(', ');
    const where = this.spec.updateWhere ? ` WHERE ${this.spec.updateWhere}` : '';
    return `ON CONFLICT (${key}) DO UPDATE SET ${set}${where}`;
  }
}

/** Streams CSV text into a `COPY … FROM STDIN` statement. */
async function copyCsv(client: PoolClient, sql: string, csv: string): Promise<void> {
  const stream = client.query(copyFrom(sql));
  await new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
    stream.end(csv);
  });
}

/** Characters that make a CSV value need quotes (a backslash too: `\.` alone marks end of data). */
const NEEDS_QUOTES = /[",\r\n\\]/;

/** One CSV value: NULL is empty and unquoted, '' is quoted, strings are quoted only when they must be. */
function csvValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (value === '') return '""';
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV line of COPY … (FORMAT csv). */
export function toCsvLine(row: RowValues): string {
  let line = csvValue(row[0]);
  for (let i = 1; i < row.length; i++) line += ',' + csvValue(row[i]);
  return line + '\n';
}
