import { validate, type ContractIssue, type ValidationResult } from '../../contract';
import {
  deviceContract,
  deviceCreateInputContract,
  deviceRowSchema,
  deviceUpdateInputContract,
} from './device.schema';

const T0 = Date.UTC(2024, 4, 1, 12);
const create = { id: 'dev-1', name: 'Boiler room', type: 'thermometer' };

function issuesOf<T>(result: ValidationResult<T>): readonly ContractIssue[] {
  if (result.ok) throw new Error(`expected a violation, got ${JSON.stringify(result.value)}`);
  return result.issues;
}
const pathsOf = <T>(result: ValidationResult<T>) => issuesOf(result).map((i) => i.path);

describe('device create input', () => {
  it('accepts a device with thresholds, trimming names', () => {
    const thresholds = { temperature: { min: 5, max: 80 }, humidity: { max: 90 }, co2: { min: 0 } };
    const result = validate(deviceCreateInputContract, {
      ...create,
      name: '  Boiler room ',
      thresholds,
    });
    expect(result).toEqual({ ok: true, value: { ...create, thresholds } });
  });

  it('accepts min equal to max', () => {
    expect(
      validate(deviceCreateInputContract, { ...create, thresholds: { t: { min: 3, max: 3 } } }).ok,
    ).toBe(true);
  });

  it('rejects min > max at thresholds.<metric>.max with both values in the message', () => {
    const issues = issuesOf(
      validate(deviceCreateInputContract, {
        ...create,
        thresholds: { temperature: { min: 80, max: 5 } },
      }),
    );
    expect(issues).toEqual([
      {
        path: 'thresholds.temperature.max',
        message: 'max (5) must be greater than or equal to min (80)',
        code: 'custom',
      },
    ]);
  });

  it.each([
    ['an empty threshold', { thresholds: { humidity: {} } }, ['thresholds.humidity']],
    ['a non-number bound', { thresholds: { t: { min: '5' } } }, ['thresholds.t.min']],
    ['a misspelt bound', { thresholds: { t: { max: 1, minimum: 0 } } }, ['thresholds.t.minimum']],
    ['a misspelt field', { tresholds: {} }, ['tresholds']],
    ['an unsafe id', { id: 'dev/1' }, ['id']],
    ['a blank name', { name: '   ' }, ['name']],
    ['a missing type', { type: undefined }, ['type']],
    ['an empty location', { location: '' }, ['location']],
  ])('rejects %s', (_label, patch, paths) => {
    expect(pathsOf(validate(deviceCreateInputContract, { ...create, ...patch }))).toEqual(paths);
  });
});

describe('device update input', () => {
  it('accepts any subset, and null to clear location or thresholds', () => {
    expect(validate(deviceUpdateInputContract, { name: 'New' })).toEqual({
      ok: true,
      value: { name: 'New' },
    });
    expect(validate(deviceUpdateInputContract, { location: null, thresholds: null })).toEqual({
      ok: true,
      value: { location: null, thresholds: null },
    });
  });

  it('rejects an empty update at the root, an id change and a bad threshold', () => {
    expect(pathsOf(validate(deviceUpdateInputContract, {}))).toEqual(['']);
    expect(pathsOf(validate(deviceUpdateInputContract, { id: 'x' }))).toContain('id');
    expect(
      pathsOf(validate(deviceUpdateInputContract, { thresholds: { t: { min: 2, max: 1 } } })),
    ).toEqual(['thresholds.t.max']);
  });
});

describe('device (registry.device/1)', () => {
  const device = { ...create, location: 'Basement', createdAt: T0, updatedAt: T0 + 1000 };

  it('is named registry.device version 1 and accepts ISO timestamps, yielding epoch ms', () => {
    expect(deviceContract.schemaId).toBe('registry.device/1');
    const result = validate(deviceContract, {
      ...device,
      createdAt: '2024-05-01T12:00:00Z',
      updatedAt: '2024-05-01T14:00:01+02:00',
    });
    expect(result).toEqual({ ok: true, value: device });
  });

  it('rejects updatedAt before createdAt, at updatedAt', () => {
    expect(pathsOf(validate(deviceContract, { ...device, updatedAt: T0 - 1 }))).toEqual([
      'updatedAt',
    ]);
  });
});

describe('deviceRowSchema (the row Debezium captures)', () => {
  it('reads snake_case columns, jsonb thresholds as text and microsecond timestamptz', () => {
    const row = {
      id: 'dev-1',
      name: 'Boiler',
      type: 't',
      location: null,
      thresholds: '{"temperature":{"max":80}}',
      created_at: '2024-05-01T12:00:00.000123Z',
      updated_at: '2024-05-01T12:00:01.999999Z',
    };
    expect(deviceRowSchema.parse(row)).toEqual({
      id: 'dev-1',
      name: 'Boiler',
      type: 't',
      location: null,
      thresholds: { temperature: { max: 80 } },
      createdAt: T0,
      updatedAt: T0 + 1999,
    });
  });

  it('reads camelCase columns too', () => {
    const row = { id: 'd', name: 'n', type: 't', thresholds: null, createdAt: T0, updatedAt: T0 };
    expect(deviceRowSchema.parse(row)).toEqual(row);
  });

  it('reports a missing creation time at createdAt and bad jsonb at thresholds', () => {
    const missing = deviceRowSchema.safeParse({ id: 'd', name: 'n', type: 't', updated_at: T0 });
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['createdAt']);
    const bad = deviceRowSchema.safeParse({
      id: 'd',
      name: 'n',
      type: 't',
      thresholds: '{oops',
      created_at: T0,
      updated_at: T0,
    });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['thresholds']);
  });

  it('rejects Debezium MicroTimestamp (epoch µs) instead of misreading it', () => {
    const micros = T0 * 1000;
    const result = deviceRowSchema.safeParse({
      id: 'd',
      name: 'n',
      type: 't',
      created_at: micros,
      updated_at: micros,
    });
    expect(result.error?.issues[0]?.message).toContain('after 9999');
  });
});
