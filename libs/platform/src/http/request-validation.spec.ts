import fc from 'fast-check';
import { z } from 'zod';
import {
  MAX_JSON_DEPTH,
  checkRequest,
  exceedsJsonDepth,
  joinPath,
  validateRequest,
  type ValidationIssue,
  type Validator,
} from './request-validation';
import { RequestValidationError } from './service-error';

const eventSchema = z.strictObject({
  eventId: z.string().default('generated'),
  userId: z.string().regex(/^\S+$/),
  type: z.string(),
  ts: z.number().int(),
  properties: z.record(z.string(), z.json()).optional(),
});

/** A validator in the shape the contracts library's `validate` has. */
const event: Validator<z.output<typeof eventSchema>> = (value) => {
  const result = eventSchema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.flatMap((i): ValidationIssue[] =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => ({
            path: [...i.path, k].join('.'),
            message: 'unknown field',
            code: i.code,
          }))
        : [{ path: i.path.join('.'), message: i.message, code: i.code }],
    ),
  };
};

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

describe('request validation', () => {
  const valid = { userId: 'u-1', type: 'click', ts: 1_700_000_000_000 };

  it('returns the normalised value of a valid request (defaults applied)', () => {
    const value = validateRequest(event, valid);
    expect(value.eventId).toBe('generated');
    expect(value.userId).toBe('u-1');
  });

  it('reports each fault with its path below the prefix and a reason', () => {
    const result = checkRequest(
      event,
      { type: 'click', ts: 'yesterday', extra: 1 },
      'records.3.value',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path).sort();
    expect(paths).toEqual([
      'records.3.value.extra',
      'records.3.value.ts',
      'records.3.value.userId',
    ]);
    for (const issue of result.issues) expect(issue.reason.length).toBeGreaterThan(0);
  });

  it('throws RequestValidationError for an invalid request', () => {
    expect(() => validateRequest(event, {})).toThrow(RequestValidationError);
  });

  it('refuses JSON nested deeper than the limit without overflowing the stack', () => {
    const result = checkRequest(event, {
      ...valid,
      properties: { deep: nested(100_000) },
    });
    expect(result).toMatchObject({ ok: false, issues: [{ code: 'too_deep' }] });
  });

  it('measures depth exactly', () => {
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(exceedsJsonDepth('text', 0)).toBe(false);
  });

  it('never throws on any JSON value: a result either way', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = checkRequest(event, value);
        if (!result.ok) expect(result.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('joins paths', () => {
    expect(joinPath('', 'a')).toBe('a');
    expect(joinPath('a', '')).toBe('a');
    expect(joinPath('a.0', 'b')).toBe('a.0.b');
  });
});
