import fc from 'fast-check';
import { validate, type ContractIssue, type ValidationResult } from '../../contract';
import {
  cdcEnvelopeContract,
  deviceChangeContract,
  deviceIdOfChange,
  isConnectJsonWrapper,
  parseCdcValue,
  unwrapConnectJson,
} from './cdc-envelope.schema';

const T0 = Date.UTC(2024, 4, 1, 12);
const row = {
  id: 'dev-1',
  name: 'Boiler',
  type: 'thermometer',
  location: null,
  thresholds: '{"temperature":{"max":80}}',
  created_at: '2024-05-01T12:00:00.000000Z',
  updated_at: '2024-05-01T12:00:00.000000Z',
};
const source = {
  version: '2.7.0.Final',
  connector: 'postgresql',
  name: 'cdc.registry',
  schema: 'public',
  table: 'devices',
  lsn: 24023128,
};
const created = { before: null, after: row, op: 'c', source, ts_ms: T0 + 5 };
const wrapped = {
  schema: { type: 'struct', name: 'cdc.registry.devices.Envelope', fields: [] },
  payload: created,
};
const expectedDevice = {
  id: 'dev-1',
  name: 'Boiler',
  type: 'thermometer',
  location: null,
  thresholds: { temperature: { max: 80 } },
  createdAt: T0,
  updatedAt: T0,
};

function issuesOf<T>(result: ValidationResult<T>): readonly ContractIssue[] {
  if (result.ok) throw new Error(`expected a violation, got ${JSON.stringify(result.value)}`);
  return result.issues;
}
const pathsOf = <T>(result: ValidationResult<T>) => issuesOf(result).map((i) => i.path);

describe('Kafka Connect JSON converter wrapper', () => {
  it('is recognised only when both schema and payload are present', () => {
    expect(isConnectJsonWrapper(wrapped)).toBe(true);
    expect(isConnectJsonWrapper({ schema: null, payload: null })).toBe(true);
    expect(isConnectJsonWrapper(created)).toBe(false);
    expect(isConnectJsonWrapper({ payload: created })).toBe(false);
    expect(isConnectJsonWrapper(null)).toBe(false);
    expect(isConnectJsonWrapper([wrapped])).toBe(false);
  });

  it('unwrapConnectJson returns the payload of a wrapper and anything else unchanged', () => {
    expect(unwrapConnectJson(wrapped)).toBe(created);
    expect(unwrapConnectJson(created)).toBe(created);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(unwrapConnectJson({ schema: {}, payload: value })).toBe(value);
      }),
    );
  });
});

describe('device change (cdc.registry.devices/1)', () => {
  it('gives the same change with and without the wrapper', () => {
    const bare = validate(deviceChangeContract, created);
    expect(bare).toEqual({
      ok: true,
      value: { before: null, after: expectedDevice, op: 'c', source, ts_ms: T0 + 5 },
    });
    expect(validate(deviceChangeContract, wrapped)).toEqual(bare);
  });

  it('reports a fault at its real path: inside the wrapper it starts with payload', () => {
    const badRow = { ...row, name: 42 };
    expect(pathsOf(validate(deviceChangeContract, { ...created, after: badRow }))).toEqual([
      'after.name',
    ]);
    expect(
      pathsOf(
        validate(deviceChangeContract, { ...wrapped, payload: { ...created, after: badRow } }),
      ),
    ).toEqual(['payload.after.name']);
  });

  it.each([
    ['an unknown op', { op: 'x' }, 'op'],
    ['a truncate op (not in the contract)', { op: 't' }, 'op'],
    ['a create without after', { after: null }, 'after'],
    ['a missing ts_ms', { ts_ms: undefined }, 'ts_ms'],
    ['a source that is not an object', { source: 'pg' }, 'source'],
  ])('rejects %s at %p', (_label, patch, path) => {
    expect(pathsOf(validate(deviceChangeContract, { ...created, ...patch }))).toEqual([path]);
  });

  it('accepts a delete whose before holds only the key (REPLICA IDENTITY DEFAULT)', () => {
    const deleted = { before: { id: 'dev-1' }, after: null, op: 'd', source, ts_ms: T0 };
    const result = validate(deviceChangeContract, deleted);
    expect(result).toEqual({ ok: true, value: deleted });
    if (result.ok) expect(deviceIdOfChange(result.value)).toBe('dev-1');
  });

  it('rejects a delete that still has an after', () => {
    expect(pathsOf(validate(deviceChangeContract, { ...created, op: 'd' }))).toEqual(['after']);
  });

  it('accepts an update and names the device from after', () => {
    const updated = { ...created, op: 'u', before: null };
    const result = validate(deviceChangeContract, updated);
    expect(result.ok).toBe(true);
    if (result.ok) expect(deviceIdOfChange(result.value)).toBe('dev-1');
  });
});

describe('parseCdcValue', () => {
  it.each([
    ['a null record value', null],
    ['an undefined record value', undefined],
    ['the JSON text null', 'null'],
    ['a wrapper with a null payload', '{"schema":null,"payload":null}'],
  ])('reads %s as a tombstone', (_label, value) => {
    expect(parseCdcValue(deviceChangeContract, value)).toEqual({ ok: true, value: null });
  });

  it('decodes bytes with or without the wrapper to the same change', () => {
    const bare = parseCdcValue(deviceChangeContract, Buffer.from(JSON.stringify(created)));
    const framed = parseCdcValue(deviceChangeContract, Buffer.from(JSON.stringify(wrapped)));
    expect(bare.ok).toBe(true);
    expect(framed).toEqual(bare);
  });

  it('reports invalid UTF-8, invalid JSON and violations', () => {
    expect(
      issuesOf(parseCdcValue(deviceChangeContract, Uint8Array.from([0xc0]))).map((i) => i.code),
    ).toEqual(['invalid_utf8']);
    expect(issuesOf(parseCdcValue(deviceChangeContract, '{"op":')).map((i) => i.code)).toEqual([
      'invalid_json',
    ]);
    expect(
      pathsOf(parseCdcValue(deviceChangeContract, JSON.stringify({ ...created, op: 'z' }))),
    ).toEqual(['op']);
  });
});

describe('generic Debezium envelope (debezium.envelope/1)', () => {
  it('accepts any table rows, wrapped or not', () => {
    const change = {
      before: { a: 1 },
      after: { a: 2, b: 'x' },
      op: 'u',
      source: { table: 'other' },
      ts_ms: T0,
    };
    expect(validate(cdcEnvelopeContract, change)).toEqual({ ok: true, value: change });
    expect(validate(cdcEnvelopeContract, { schema: {}, payload: change })).toEqual({
      ok: true,
      value: change,
    });
  });
});
