import fc from 'fast-check';
import { z } from 'zod';
import { epochMsSchema } from './common/timestamp';
import {
  ContractViolationError,
  decodeJson,
  defineContract,
  formatIssues,
  parseJson,
  parseOrThrow,
  serializeJson,
  toJsonSchema,
  validate,
  type ContractIssue,
  type ValidationResult,
} from './contract';
import { CONTRACTS, contractBySchemaId } from './contract-registry';
import { telemetryContract, telemetryReadingContract } from './messages/telemetry/telemetry.schema';

const readingsContract = defineContract(
  'test.readings',
  1,
  z.strictObject({
    batch: z.string(),
    readings: z.array(z.object({ ts: epochMsSchema, value: z.number() })),
  }),
);

const validTelemetry = {
  deviceId: 'dev-1',
  ts: 1714564800000,
  metrics: { temperature: 21.5 },
  ingestedAt: 1714564800100,
};

function issuesOf<T>(result: ValidationResult<T>): readonly ContractIssue[] {
  if (result.ok) throw new Error(`expected a violation, got ${JSON.stringify(result.value)}`);
  return result.issues;
}

function pathsOf<T>(result: ValidationResult<T>): string[] {
  return issuesOf(result).map((i) => i.path);
}

describe('defineContract', () => {
  it('spells the schema id from the explicit name and version', () => {
    expect(readingsContract.schemaId).toBe('test.readings/1');
    expect(readingsContract.name).toBe('test.readings');
    expect(readingsContract.version).toBe(1);
    expect(Object.isFrozen(readingsContract)).toBe(true);
  });
});

describe('validate', () => {
  it('returns the normalised value when valid', () => {
    const result = validate(telemetryReadingContract, {
      ts: '2024-05-01T12:00:00Z',
      metrics: { t: 1 },
    });
    expect(result).toEqual({ ok: true, value: { ts: 1714564800000, metrics: { t: 1 } } });
  });

  it('reports a nested field as a dotted path', () => {
    const result = validate(telemetryContract, {
      ...validTelemetry,
      metrics: { temperature: 'hot' },
    });
    expect(issuesOf(result)).toEqual([
      {
        path: 'metrics.temperature',
        message: expect.stringContaining('expected number'),
        code: 'invalid_type',
      },
    ]);
  });

  it('reports array elements by index', () => {
    const readings = [0, 1, 2, 3].map((i) => ({ ts: 1714564800000 + i, value: i }));
    const bad = readings.map((r, i) => (i === 3 ? { ...r, ts: 'soon' } : r));
    expect(pathsOf(validate(readingsContract, { batch: 'b', readings: bad }))).toEqual([
      'readings.3.ts',
    ]);
  });

  it('reports a fault of the whole value with the empty path', () => {
    expect(issuesOf(validate(telemetryContract, 42))).toEqual([
      { path: '', message: expect.stringContaining('expected object'), code: 'invalid_type' },
    ]);
  });

  it('says "required" for a missing field, at the field path', () => {
    const { ingestedAt: _omitted, ...withoutIngestedAt } = validTelemetry;
    const issues = issuesOf(validate(telemetryContract, withoutIngestedAt));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('ingestedAt');
    expect(issues[0]?.message).toMatch(/^required/);
  });

  it('names every unknown field of a strict object at its own path', () => {
    const result = validate(readingsContract, { batch: 'b', readings: [], extra: 1, more: 2 });
    expect(issuesOf(result)).toEqual([
      { path: 'extra', message: 'unknown field', code: 'unrecognized_keys' },
      { path: 'more', message: 'unknown field', code: 'unrecognized_keys' },
    ]);
  });

  it('reports every fault, not only the first', () => {
    const result = validate(telemetryContract, { ...validTelemetry, deviceId: 'a.b', seq: -1 });
    expect(pathsOf(result).sort()).toEqual(['deviceId', 'seq']);
  });

  it('never throws, whatever the value, and every failure carries at least one issue', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CONTRACTS), fc.anything(), (contract, value) => {
        const result = validate(contract, value);
        if (!result.ok) {
          expect(result.issues.length).toBeGreaterThan(0);
          for (const i of result.issues) expect(typeof i.path).toBe('string');
        }
      }),
    );
  });
});

describe('parseJson', () => {
  const json = JSON.stringify(validTelemetry);

  it('parses UTF-8 bytes and strings alike', () => {
    expect(parseJson(telemetryContract, Buffer.from(json, 'utf8'))).toEqual({
      ok: true,
      value: validTelemetry,
    });
    expect(parseJson(telemetryContract, json)).toEqual({ ok: true, value: validTelemetry });
  });

  it.each([
    ['a lone continuation byte', [0x7b, 0x80, 0x7d]],
    ['a truncated two-byte sequence', [0x22, 0xc3, 0x22]],
    ['an overlong encoding of "/"', [0x22, 0xc0, 0xaf, 0x22]],
    ['an encoded UTF-16 surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22]],
    ['a byte that never occurs in UTF-8', [0x22, 0xff, 0x22]],
  ])('reports invalid UTF-8 (%s) instead of replacing it', (_label, bytes) => {
    expect(issuesOf(parseJson(telemetryContract, Uint8Array.from(bytes)))).toEqual([
      { path: '', message: 'value is not valid UTF-8', code: 'invalid_utf8' },
    ]);
  });

  it('reports invalid UTF-8 exactly when Node would have to replace characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => {
        const lossless = Buffer.from(Buffer.from(bytes).toString('utf8'), 'utf8').equals(bytes);
        const result = decodeJson(bytes);
        const invalidUtf8 = !result.ok && result.issues[0]?.code === 'invalid_utf8';
        expect(invalidUtf8).toBe(!lossless);
      }),
    );
  });

  it.each(['{"deviceId":', '', 'undefined', "{'a':1}", '{"a":1,}'])(
    'reports invalid JSON %p with the parser reason',
    (text) => {
      const issues = issuesOf(parseJson(telemetryContract, Buffer.from(text)));
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ path: '', code: 'invalid_json' });
      expect(issues[0]?.message).toMatch(/^value is not valid JSON: ./);
    },
  );

  it('reports a null record value (tombstone) as a missing value', () => {
    expect(issuesOf(parseJson(telemetryContract, null))).toEqual([
      { path: '', message: expect.stringContaining('missing'), code: 'missing_value' },
    ]);
  });

  it('validates after decoding, with paths', () => {
    const bytes = Buffer.from(JSON.stringify({ ...validTelemetry, metrics: {} }));
    expect(pathsOf(parseJson(telemetryContract, bytes))).toEqual(['metrics']);
  });
});

describe('parseOrThrow / serializeJson / ContractViolationError', () => {
  it('parseOrThrow returns the value or throws a non-retryable CONTRACT_VIOLATION with the issues', () => {
    expect(parseOrThrow(telemetryContract, validTelemetry)).toEqual(validTelemetry);
    let caught: unknown;
    try {
      parseOrThrow(telemetryContract, { ...validTelemetry, metrics: { t: 'x' } });
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ContractViolationError);
    expect(caught).toBeInstanceOf(Error);
    const violation = caught as ContractViolationError;
    expect(violation.code).toBe('CONTRACT_VIOLATION');
    expect(violation.retryable).toBe(false);
    expect(violation.schemaId).toBe('iot.telemetry/1');
    expect(violation.issues.map((i) => i.path)).toEqual(['metrics.t']);
    expect(violation.name).toBe('ContractViolationError');
    expect(violation.message).toContain('iot.telemetry/1');
    expect(violation.message).toContain('metrics.t: ');
  });

  it('serializeJson writes the normalised value and refuses to write a violation', () => {
    const text = serializeJson(telemetryReadingContract, {
      ts: '2024-05-01T12:00:00Z',
      metrics: { t: 1 },
    });
    expect(JSON.parse(text)).toEqual({ ts: 1714564800000, metrics: { t: 1 } });
    expect(() => serializeJson(telemetryContract, { ...validTelemetry, ts: 5 })).toThrow(
      ContractViolationError,
    );
  });

  it('formatIssues puts one issue after the other, root issues without a path prefix', () => {
    expect(
      formatIssues([
        { path: 'a.b', message: 'bad', code: 'custom' },
        { path: '', message: 'worse', code: 'custom' },
      ]),
    ).toBe('a.b: bad; worse');
  });
});

describe('toJsonSchema', () => {
  it.each(CONTRACTS.map((c) => [c.schemaId, c] as const))(
    '%s yields an object schema with properties, titled with its schema id',
    (_id, contract) => {
      for (const io of ['output', 'input'] as const) {
        const schema = toJsonSchema(contract, { io });
        expect(schema.type).toBe('object');
        expect(Object.keys(schema.properties ?? {}).length).toBeGreaterThan(0);
        expect(schema.title).toBe(contract.schemaId);
        expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
        expect(() => JSON.stringify(schema)).not.toThrow();
      }
    },
  );

  it('describes what the parser accepts (input) and what producers write (output)', () => {
    const input = toJsonSchema(telemetryReadingContract, { io: 'input' });
    const output = toJsonSchema(telemetryReadingContract);
    expect(input.properties?.['ts']).toMatchObject({ type: ['number', 'string'] });
    expect(output.properties?.['ts']).toMatchObject({ type: 'integer' });
    expect(toJsonSchema(telemetryContract).required).toEqual([
      'deviceId',
      'ts',
      'metrics',
      'ingestedAt',
    ]);
  });
});

describe('contract registry', () => {
  it('has unique schema ids and finds each contract by its id', () => {
    const ids = CONTRACTS.map((c) => c.schemaId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CONTRACTS) expect(contractBySchemaId(c.schemaId)).toBe(c);
    expect(contractBySchemaId('iot.telemetry/2')).toBeUndefined();
  });

  it('holds the schema ids of ARCHITECTURE.md', () => {
    expect(CONTRACTS.map((c) => c.schemaId)).toEqual(
      expect.arrayContaining([
        'iot.telemetry/1',
        'user-activity/1',
        'agg.telemetry.1m/1',
        'agg.user-sessions/1',
      ]),
    );
  });
});
