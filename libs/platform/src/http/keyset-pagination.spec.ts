import { KeysetCursor, pageLimitSchema, PAGE_SIZE } from './keyset-pagination';

const numeric = new KeysetCursor('GET /things', (key) => /^\d{1,18}$/.test(key));

describe('KeysetCursor', () => {
  it('decodes what it encoded, and nothing else', () => {
    expect(numeric.decode(numeric.encode('42'))).toBe('42');
    expect(numeric.encode('42')).toMatch(/^[A-Za-z0-9_-]+$/);
    // A key this list cannot have, another list's cursor, a cut cursor, garbage.
    expect(numeric.decode(numeric.encode('x'))).toBeUndefined();
    const other = new KeysetCursor('GET /others', () => true);
    expect(numeric.decode(other.encode('42'))).toBeUndefined();
    expect(numeric.decode(numeric.encode('42').slice(2))).toBeUndefined();
    expect(numeric.decode('garbage')).toBeUndefined();
  });

  it('cuts rows read with limit + 1 into a page and points after its last row', () => {
    const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
    const full = numeric.page(rows, 2, (r) => String(r.id));
    expect(full.items).toEqual([{ id: 1 }, { id: 2 }]);
    expect(full.nextCursor && numeric.decode(full.nextCursor)).toBe('2');
    // No extra row: the last page.
    expect(numeric.page(rows, 3, (r) => String(r.id))).toEqual({ items: rows, nextCursor: null });
    expect(numeric.page([], 3, (r: { id: number }) => String(r.id))).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('parses a query cursor to its key, and names the list when it refuses one', () => {
    expect(numeric.schema.parse(numeric.encode('7'))).toBe('7');
    const refused = numeric.schema.safeParse('zz');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('not a cursor returned by GET /things');
    expect(numeric.schema.safeParse('a'.repeat(1_025)).success).toBe(false);
  });
});

describe('pageLimitSchema', () => {
  it('defaults, coerces query text and keeps to 1..MAX', () => {
    expect(pageLimitSchema.parse(undefined)).toBe(PAGE_SIZE.DEFAULT);
    expect(pageLimitSchema.parse('25')).toBe(25);
    for (const bad of ['0', String(PAGE_SIZE.MAX + 1), 'ten', '1.5']) {
      expect(pageLimitSchema.safeParse(bad).success).toBe(false);
    }
  });
});
