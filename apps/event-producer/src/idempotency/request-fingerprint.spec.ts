import { userActivityContract, validate } from '@streamline/contracts';
import { RequestValidationError } from '@streamline/platform';
import fc from 'fast-check';
import {
  canonicalJson,
  derivedEventId,
  fingerprintOf,
  idempotencyKeyOf,
} from './request-fingerprint';

describe('request fingerprints', () => {
  it('treats bodies that differ only in key order as the same request', () => {
    const a = fingerprintOf({ scope: 's', variant: 'all', body: { b: 1, a: [{ y: 2, x: 1 }] } });
    const b = fingerprintOf({ scope: 's', variant: 'all', body: { a: [{ x: 1, y: 2 }], b: 1 } });
    expect(a).toBe(b);
  });

  it('tells apart bodies, modes and scopes', () => {
    const base = { scope: 's', variant: 'all', body: [1, 2] };
    const others = [
      { ...base, body: [2, 1] },
      { ...base, variant: 'none' },
      { ...base, scope: 't' },
    ];
    for (const other of others) expect(fingerprintOf(other)).not.toBe(fingerprintOf(base));
  });

  it('canonical JSON parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('derives eventIds that are valid, stable and distinct per index', () => {
    const ids = Array.from({ length: 50 }, (_, i) => derivedEventId('key:fp', i));
    expect(new Set(ids).size).toBe(50);
    expect(derivedEventId('key:fp', 3)).toBe(ids[3]);
    for (const eventId of ids) {
      const result = validate(userActivityContract, {
        eventId,
        userId: 'u',
        type: 't',
        ts: 1_714_564_800_000,
      });
      expect(result.ok).toBe(true);
    }
  });

  it('reads the Idempotency-Key header, refusing malformed keys with 400', () => {
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
    expect(idempotencyKeyOf('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe(
      '8e03978e-40d5-43e8-bc93-6894a57f9324',
    );
    for (const bad of ['', 'has space', 'x'.repeat(256), 'ünïcode']) {
      expect(() => idempotencyKeyOf(bad)).toThrow(RequestValidationError);
    }
  });
});
