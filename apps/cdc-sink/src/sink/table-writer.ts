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

/** `unnest`: one INSERT … SELECT FROM unnest(arrays); `copy`: COPY into a staging table, then merge. */
export type WriteMode = 'unnest' | 'copy';

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

  private async writeByCopy(client: PoolClient, rows: readonly RowValues[]): Promise<void> {
    if (!this.staged.has(client)) {
      const columns = this.spec.columns.map((c) => `"${c.name}" ${c.type}`).join(', ');
      // Temporary: no WAL, private to the connection, created once per connection.
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS ${this.stage} (${columns}) ON COMMIT DELETE ROWS`,
      );
      this.staged.add(client);
    }
    const stream = client.query(
      copyFrom(`COPY ${this.stage} (${this.columnList}) FROM STDIN (FORMAT csv)`),
    );
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(rows.map(toCsvLine).join(''));
    });
    await client.query(this.mergeSql);
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

/** One CSV line: NULL unquoted and empty, every value quoted (so '' stays an empty string). */
export function toCsvLine(row: RowValues): string {
  return (
    row
      .map((value) =>
        value === null || value === undefined ? '' : `"${String(value).replace(/"/g, '""')}"`,
      )
      .join(',') + '\n'
  );
}
