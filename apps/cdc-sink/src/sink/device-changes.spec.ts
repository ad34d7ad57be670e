import type { SinkRecord } from '@streamline/messaging';
import { foldDeviceChanges } from './device-changes';
import { decodeDeviceChange, type DecodedDeviceChange } from './sink-decoders';

const row = (id: string, name: string) => ({
  id,
  name,
  type: 'thermometer',
  location: null,
  thresholds: '{"temperature":{"max":30}}',
  created_at: '2026-11-30T01:00:00.000000Z',
  updated_at: '2026-11-30T01:00:00.000000Z',
});

function change(
  op: 'c' | 'u' | 'd' | 'r',
  id: string,
  lsn: number,
  name = 'n',
): SinkRecord<DecodedDeviceChange> {
  const envelope = {
    before: op === 'c' || op === 'r' ? null : row(id, 'old'),
    after: op === 'd' ? null : row(id, name),
    op,
    source: { connector: 'postgresql', schema: 'registry', table: 'devices', lsn },
    ts_ms: 1_764_464_400_000,
  };
  const decoded = decodeDeviceChange(Buffer.from(JSON.stringify(envelope)));
  if (!decoded.ok || decoded.value === null) throw new Error('fixture does not decode');
  return {
    value: decoded.value,
    topic: 't',
    partition: 0,
    offset: String(lsn),
    key: id,
    timestamp: '0',
  };
}

describe('foldDeviceChanges', () => {
  it('keeps the change with the highest LSN per device, in whatever order the batch holds them', () => {
    const effects = foldDeviceChanges([
      change('u', 'a', 30, 'third'),
      change('c', 'a', 10, 'first'),
      change('u', 'a', 20, 'second'),
    ]);
    expect(effects).toHaveLength(1);
    expect(effects[0]).toMatchObject({ kind: 'upsert', id: 'a', lsn: 30n });
    expect(effects[0]?.kind === 'upsert' && effects[0].row[1]).toBe('third');
  });

  it('a delete newer than the create wins; an older one loses', () => {
    expect(foldDeviceChanges([change('c', 'a', 10), change('d', 'a', 20)])).toEqual([
      { kind: 'delete', id: 'a', lsn: 20n },
    ]);
    expect(foldDeviceChanges([change('d', 'a', 5), change('c', 'a', 10)])[0]).toMatchObject({
      kind: 'upsert',
    });
  });

  it('maps the after image to the columns: jsonb from Debezium text, times as ISO-8601, LSN as text', () => {
    const [effect] = foldDeviceChanges([change('r', 'dev-1', 77)]);
    expect(effect?.kind === 'upsert' && effect.row).toEqual([
      'dev-1',
      'n',
      'thermometer',
      null,
      '{"temperature":{"max":30}}',
      '2026-11-30T01:00:00.000Z',
      '2026-11-30T01:00:00.000Z',
      '77',
      null,
    ]);
  });
});
