import { inTransaction } from '@streamline/messaging';
import { createTestDatabase, type TestDatabase } from '@streamline/testing';
import { Pool } from 'pg';
import { TableWriter, type TableSpec, type WriteMode } from './table-writer';

const spec: TableSpec = {
  table: 'public.items',
  columns: [
    { name: 'id', type: 'text' },
    { name: 'label', type: 'text' },
    { name: 'at', type: 'timestamptz' },
    { name: 'version', type: 'bigint' },
    { name: 'doc', type: 'jsonb' },
  ],
  key: ['id'],
  onConflict: 'update',
  updateWhere: 't."version" < EXCLUDED."version"',
  insertWhere: 'v."label" IS DISTINCT FROM \'refused\'',
};

/** Both write modes against a real Postgres: same rows in, same table out. */
describe.each<WriteMode>(['unnest', 'copy'])('TableWriter (%s, real Postgres)', (mode) => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('table_writer_it');
    pool = new Pool({ connectionString: database.url, max: 2 });
    await pool.query(
      'CREATE TABLE public.items (id text PRIMARY KEY, label text, at timestamptz, version bigint, doc jsonb)',
    );
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('upserts awkward values exactly, keeps the update guard and the insert guard, twice in one transaction', async () => {
    const writer = new TableWriter(spec, mode);
    const doc = '{"quote":"a \\"b\\", c","list":[1,2]}';
    await inTransaction(pool, async (client) => {
      await writer.write(client, [
        ['a', 'with "quotes", commas\nand a newline', '2026-11-30T01:00:00.000Z', '5', doc],
        ['b', '', '2026-11-30T01:00:00.000Z', '5', null],
        ['c', 'refused', '2026-11-30T01:00:00.000Z', '5', null],
      ]);
      // A second write in the same transaction (the staging table must be empty again).
      await writer.write(client, [
        ['a', 'older', '2026-11-30T00:00:00.000Z', '4', null],
        ['b', null, '2026-11-30T02:00:00.000Z', '6', '{"n":1}'],
      ]);
    });
    const { rows } = await pool.query(
      'SELECT id, label, at, version::text AS version, doc FROM public.items ORDER BY id',
    );
    expect(rows).toEqual([
      {
        id: 'a',
        label: 'with "quotes", commas\nand a newline',
        at: new Date('2026-11-30T01:00:00.000Z'),
        version: '5',
        doc: { quote: 'a "b", c', list: [1, 2] },
      },
      {
        id: 'b',
        label: null,
        at: new Date('2026-11-30T02:00:00.000Z'),
        version: '6',
        doc: { n: 1 },
      },
    ]);
  });
});

describe('TableWriter copy mode without an insert condition (real Postgres)', () => {
  let database: TestDatabase;
  let pool: Pool;
  const plain: TableSpec = {
    table: 'public.plain_items',
    columns: [
      { name: 'id', type: 'text' },
      { name: 'label', type: 'text' },
    ],
    key: ['id'],
    onConflict: 'update',
  };

  beforeAll(async () => {
    database = await createTestDatabase('table_writer_copy_it');
    pool = new Pool({ connectionString: database.url, max: 2 });
    await pool.query('CREATE TABLE public.plain_items (id text PRIMARY KEY, label text)');
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('copies new rows straight into the table and merges a batch that meets existing rows', async () => {
    const writer = new TableWriter(plain, 'copy');
    await inTransaction(pool, (client) =>
      writer.write(client, [
        ['a', 'first'],
        ['b', 'first'],
      ]),
    );
    expect(writer.counts).toEqual({ direct: 2, merged: 0 });
    // 'b' exists: the direct COPY fails on the key, rolls back to its savepoint, and the batch
    // merges in the same transaction, which then goes on (the second write) and commits.
    await inTransaction(pool, async (client) => {
      await writer.write(client, [
        ['c', 'second'],
        ['b', 'second'],
      ]);
      await writer.write(client, [['d', 'second']]);
    });
    expect(writer.counts).toEqual({ direct: 3, merged: 2 });
    const { rows } = await pool.query('SELECT id, label FROM public.plain_items ORDER BY id');
    expect(rows).toEqual([
      { id: 'a', label: 'first' },
      { id: 'b', label: 'second' },
      { id: 'c', label: 'second' },
      { id: 'd', label: 'second' },
    ]);
  });
});
