import { telemetryWindowContract } from '@streamline/contracts';
import { contractDecoder, decodeDeviceChange } from './sink-decoders';
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

describe('contractDecoder', () => {
  const decode = contractDecoder(
    telemetryWindowContract,
    Object.keys(telemetryWindowContract.schema.shape),
  );
  const window = {
    windowId: 'd1:1700000040000:60000',
    deviceId: 'd1',
    windowStart: 1_700_000_040_000,
    windowEnd: 1_700_000_100_000,
    count: 2,
    metrics: { t: { count: 2, min: 1, max: 2, sum: 3, avg: 1.5 } },
  };

  it('takes a window in wire form as it is, with nothing extra', () => {
    expect(decode(bytes(window))).toEqual({ ok: true, value: { value: window, extra: null } });
  });

  it('keeps fields the contract does not know in extra, and the contract fields in value', () => {
    expect(decode(bytes({ ...window, firmware: '1.2.3' }))).toEqual({
      ok: true,
      value: { value: window, extra: { firmware: '1.2.3' } },
    });
  });

  it('names the field of a window that breaks a refinement', () => {
    const result = decode(bytes({ ...window, windowId: 'd1:0:60000' }));
    expect(!result.ok && result.issues.map((i) => i.path)).toEqual(['windowId']);
  });
});

describe('toCsvLine', () => {
  it('quotes what must be quoted, doubles quotes and writes NULL as an empty unquoted field', () => {
    expect(toCsvLine(['a"b', null, 3, '', 'plain'])).toBe('"a""b",,3,"",plain\n');
    expect(toCsvLine(['x,y', 'two\nlines', 'cr\r', '\\.'])).toBe(
      '"x,y","two\nlines","cr\r","\\."\n',
    );
  });
});
