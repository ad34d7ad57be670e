import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import { z } from 'zod';
import type { Contract } from './contract';

/**
 * A compiled check of a contract's wire form, generated from its zod schema (zod → JSON Schema →
 * ajv), so the zod schema stays the one source of truth. It answers only "accept as is": a value
 * it accepts is one zod accepts and returns unchanged (property-tested, refinements included); a
 * value it refuses goes to zod, which normalises it or names the faulty fields.
 */
export type CompiledCheck = (value: unknown) => boolean;

const ajv = new Ajv2020({
  // zod's JSON Schema carries a `pattern` beside each `format`: the patterns are what zod checks.
  validateFormats: false,
  strict: false,
  allErrors: false,
  // The schema's own patterns (user ids: \p{Cc}) are Unicode regular expressions, as in zod.
  unicodeRegExp: true,
  // `required` and friends look at own properties only, as zod does.
  ownProperties: true,
  // zod's numbers are finite; JSON.parse makes ±Infinity of `1e999` (or of 309 digits).
  strictNumbers: true,
});

/**
 * zod copies objects key by key, so an own `__proto__` key (JSON.parse makes one) is lost in its
 * output: the compiled check leaves such objects to zod rather than hand over another value.
 */
function refuseProtoKeys(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(refuseProtoKeys);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = refuseProtoKeys(value);
  if (copy['type'] === 'object') {
    const guard = { not: { required: ['__proto__'] } };
    if (copy['not'] === undefined) Object.assign(copy, guard);
    else copy['allOf'] = [...((copy['allOf'] as unknown[] | undefined) ?? []), guard];
  }
  return copy;
}

const compiled = new WeakMap<Contract, CompiledCheck | null>();

/** The JSON Schema check, then (only on a value of the right shape) the contract's refinements. */
function withRefinements(
  shape: ValidateFunction,
  refinementsHold: (value: unknown) => boolean,
): CompiledCheck {
  return (value) => shape(value) && refinementsHold(value);
}

/**
 * The compiled check of a contract whose JSON Schema is exact (`exactJsonSchema`), else undefined:
 * a refinement JSON Schema cannot express would be skipped by the compiled check. A contract's
 * `refinementsHold` runs after the JSON Schema check.
 */
export function compiledCheckOf(contract: Contract): CompiledCheck | undefined {
  if (contract.exactJsonSchema !== true) return undefined;
  let check = compiled.get(contract);
  if (check === undefined) {
    try {
      const schema = z.toJSONSchema(contract.schema, {
        io: 'output',
        target: 'draft-2020-12',
        // Something JSON Schema cannot say must not become "anything goes" in the compiled check.
        unrepresentable: 'throw',
      });
      const shape = ajv.compile(refuseProtoKeys(schema) as object);
      const refinements = contract.refinementsHold as ((value: unknown) => boolean) | undefined;
      check = refinements ? withRefinements(shape, refinements) : shape;
    } catch {
      // A schema JSON Schema or ajv cannot take leaves zod alone on the job: slower, never wrong.
      check = null;
    }
    compiled.set(contract, check);
  }
  return check ?? undefined;
}
