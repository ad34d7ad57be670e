import { decodeDeviceChange } from './sink-decoders';
import { toCsvLine } from './table-writer';

const after = {
  id: 'dev-1',
  name: 'Boiler',
  type: 'thermometer',
  location: 'cellar',
  thresholds: '{"temperature":{"max":90}}',
  created_at: '2026-11-30T01:00:00Z',
  updated_at: '2026-11-30T01:00:05Z',
  firmware: '1.2.3',
};
const created = {
  before: null,
  after,
  op: 'c',
  source: { lsn: 4242, table: 'devices' },
  ts_ms: 1_764_464_400_000,
};
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('decodeDeviceChange', () => {
  it('reads a bare envelope and the Connect {schema, payload} form alike', () => {
    const bare = decodeDeviceChange(bytes(created));
    const wrapped = decodeDeviceChange(bytes({ schema: { type: 'struct' }, payload: created }));
    expect(bare).toEqual(wrapped);
    expect(bare.ok && bare.value?.lsn).toBe(4242n);
    expect(bare.ok && bare.value?.value.after?.thresholds).toEqual({ temperature: { max: 90 } });
  });

  it('keeps columns it does not map in extra instead of failing', () => {
    const decoded = decodeDeviceChange(bytes(created));
    expect(decoded.ok && decoded.value?.extra).toEqual({ firmware: '1.2.3' });
  });

  it('treats every form of tombstone as nothing to write', () => {
    expect(decodeDeviceChange(null)).toEqual({ ok: true, value: null });
    expect(decodeDeviceChange(Buffer.from('null'))).toEqual({ ok: true, value: null });
    expect(decodeDeviceChange(bytes({ schema: {}, payload: null }))).toEqual({
      ok: true,
      value: null,
    });
  });

  it('rejects a change it cannot order or apply, naming the field', () => {
    const noLsn = decodeDeviceChange(bytes({ ...created, source: { table: 'devices' } }));
    expect(!noLsn.ok && noLsn.issues[0]?.path).toBe('source.lsn');
    const noName = decodeDeviceChange(bytes({ ...created, after: { ...after, name: '' } }));
    expect(!noName.ok && noName.issues.map((i) => i.path)).toContain('after.name');
    expect(decodeDeviceChange(Buffer.from('{not json')).ok).toBe(false);
  });
});

describe('toCsvLine', () => {
  it('quotes every value, doubles quotes and writes NULL as an empty unquoted field', () => {
    expect(toCsvLine(['a"b', null, 3, ''])).toBe('"a""b",,"3",""\n');
  });
});
