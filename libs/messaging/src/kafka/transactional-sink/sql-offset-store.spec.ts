import {
  isRetryableSqlError,
  quoteQualifiedName,
  SqlOffsetStore,
  type SqlClient,
} from './sql-offset-store';

describe('isRetryableSqlError', () => {
  it.each([
    [new Error('connect ECONNREFUSED 127.0.0.1:5432'), true],
    [Object.assign(new Error('terminating connection'), { code: '57P01' }), true],
    [Object.assign(new Error('too many connections'), { code: '53300' }), true],
    [Object.assign(new Error('deadlock detected'), { code: '40P01' }), true],
    [Object.assign(new Error('connection failure'), { code: '08006' }), true],
    [Object.assign(new Error('ECONNRESET'), { code: 'ECONNRESET' }), true],
    [Object.assign(new Error('value too long'), { code: '22001' }), false],
    [Object.assign(new Error('not-null violation'), { code: '23502' }), false],
    [Object.assign(new Error('undefined column'), { code: '42703' }), false],
  ])('%s → retryable %s', (error, retryable) => {
    expect(isRetryableSqlError(error)).toBe(retryable);
  });
});

describe('quoteQualifiedName', () => {
  it('quotes plain names and refuses anything that could inject SQL', () => {
    expect(quoteQualifiedName('analytics.kafka_offsets')).toBe('"analytics"."kafka_offsets"');
    expect(() => quoteQualifiedName('x; DROP TABLE y')).toThrow(RangeError);
  });
});

describe('SqlOffsetStore.save', () => {
  function client(rowCount: number): SqlClient & { calls: unknown[][] } {
    const calls: unknown[][] = [];
    return {
      calls,
      query: (text: string, values?: unknown[]) => {
        calls.push([text, values]);
        return Promise.resolve({ rows: [], rowCount });
      },
    };
  }

  it('compares and sets: an update only from the position the batch started at', async () => {
    const store = new SqlOffsetStore('analytics.kafka_offsets');
    const db = client(0);
    const saved = await store.save(db, 'g', { topic: 't', partition: 2, nextOffset: '20' }, '10');
    expect(saved).toBe(false);
    expect(db.calls[0]?.[0]).toContain('next_offset = $5');
    expect(db.calls[0]?.[1]).toEqual(['g', 't', 2, '20', '10']);
  });

  it('inserts the first position and reports a concurrent insert as fenced', async () => {
    const store = new SqlOffsetStore('analytics.kafka_offsets');
    expect(
      await store.save(client(1), 'g', { topic: 't', partition: 0, nextOffset: '5' }, undefined),
    ).toBe(true);
    expect(
      await store.save(client(0), 'g', { topic: 't', partition: 0, nextOffset: '5' }, undefined),
    ).toBe(false);
  });
});
