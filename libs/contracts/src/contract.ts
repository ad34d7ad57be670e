import { z } from 'zod';
import { compiledCheckOf } from './compiled-validator';

/**
 * A message contract: the wire name and version, and the one zod schema that checks it.
 * `TOut` is the value a successful validation yields. The second parameter is not enforced, so
 * `Contract<T>`, `Contract<T, never>` and `Contract<T, unknown>` all mean "a contract yielding T"
 * (the input type of a concrete contract is `ContractInput<typeof itsContract>`).
 */
export interface Contract<TOut = unknown, _TInput = unknown> {
  /** Wire name without version, e.g. `iot.telemetry`. */
  readonly name: string;
  readonly version: number;
  /** `<name>/<version>`: the value of the `schema` header. */
  readonly schemaId: string;
  readonly schema: z.ZodType<TOut>;
  /**
   * The output JSON Schema says all that zod checks (no refinement it cannot express, no
   * normalisation of wire-form values), as the contract's property test proves: decoding may then
   * accept a record with the compiled check alone (`compiled-validator.ts`).
   */
  readonly exactJsonSchema?: boolean;
  /**
   * The schema's refinements (what JSON Schema cannot say: a field that must agree with others)
   * as one predicate over a value the JSON Schema accepted. JSON Schema and this predicate
   * together say all that zod checks, so such a contract is exact too. Built from the same
   * functions as the refinements themselves, never a second copy of them.
   */
  readonly refinementsHold?: (value: never) => boolean;
}

/** A contract whose literal name, version and concrete schema type are kept. */
export type DefinedContract<N extends string, V extends number, S extends z.ZodType> = {
  readonly name: N;
  readonly version: V;
  readonly schemaId: `${N}/${V}`;
  readonly schema: S;
  readonly exactJsonSchema?: boolean;
  readonly refinementsHold?: (value: z.output<S>) => boolean;
};

/** The value type a contract yields after validation. */
export type ContractValue<C> = C extends Contract<infer T> ? T : never;

/** What a contract's parser accepts (e.g. ISO timestamps where the value holds epoch ms). */
export type ContractInput<C> = C extends { readonly schema: infer S extends z.ZodType }
  ? z.input<S>
  : unknown;

/** One fault: `path` is dotted with array indices (`readings.3.ts`), `''` for the root. */
export interface ContractIssue {
  readonly path: string;
  readonly message: string;
  /** zod's issue code, or `invalid_utf8` / `invalid_json` / `missing_value` (decoding), `invalid_topic` (MQTT). */
  readonly code: string;
}

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ContractIssue[] };

export type JsonSchema = z.core.JSONSchema.JSONSchema;

/** Declares a contract from an explicit wire name and version (never from a class name). */
export function defineContract<const N extends string, const V extends number, S extends z.ZodType>(
  name: N,
  version: V,
  schema: S,
  options: { exactJsonSchema?: boolean; refinementsHold?: (value: z.output<S>) => boolean } = {},
): DefinedContract<N, V, S> {
  return Object.freeze({
    name,
    version,
    schemaId: `${name}/${version}` as `${N}/${V}`,
    schema,
    ...(options.exactJsonSchema === true ? { exactJsonSchema: true } : {}),
    ...(options.refinementsHold ? { refinementsHold: options.refinementsHold } : {}),
  });
}

/** Validates (and normalises) a decoded value against a contract; never throws. */
export function validate<T>(contract: Contract<T>, value: unknown): ValidationResult<T> {
  return validateSchema(contract.schema, value);
}

/**
 * The same for a bare zod schema (a request's query or body that is no message contract): the
 * same issues, paths and messages as a contract's.
 */
export function validateSchema<T>(schema: z.ZodType<T>, value: unknown): ValidationResult<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  // The faulty input is attached only when something failed: `reportInput` doubles the cost
  // of a successful parse, and consumers validate every record.
  const detailed = schema.safeParse(value, { reportInput: true });
  return {
    ok: false,
    issues: toContractIssues((detailed.success ? result : detailed).error.issues),
  };
}

type Failure = Extract<ValidationResult<never>, { ok: false }>;

/** Decodes bytes as strict UTF-8: a malformed sequence is an issue, never a U+FFFD in the data. */
export function decodeUtf8(
  bytes: Uint8Array | string | null | undefined,
): ValidationResult<string> {
  const text = utf8Text(bytes);
  return typeof text === 'string' ? { ok: true, value: text } : text;
}

// The hot path's own form of decodeUtf8 and of JSON parsing: a string (a value) or the failure,
// so a good record allocates no intermediate result objects.
function utf8Text(bytes: Uint8Array | string | null | undefined): string | Failure {
  if (bytes === null || bytes === undefined) {
    return issue('missing_value', 'value is missing (null record value / tombstone)');
  }
  if (typeof bytes === 'string') return bytes;
  try {
    return utf8.decode(bytes);
  } catch {
    return issue('invalid_utf8', 'value is not valid UTF-8');
  }
}

/** What parseText returns for text that is not JSON (JSON.parse never makes class instances). */
class InvalidJson {
  constructor(readonly failure: Failure) {}
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    return new InvalidJson(issue('invalid_json', `value is not valid JSON: ${reason}`));
  }
}

/** Decodes bytes as strict UTF-8 JSON without validating; bad bytes or JSON become issues. */
export function decodeJson(
  bytes: Uint8Array | string | null | undefined,
): ValidationResult<unknown> {
  const text = utf8Text(bytes);
  if (typeof text !== 'string') return text;
  const parsed = parseText(text);
  return parsed instanceof InvalidJson ? parsed.failure : { ok: true, value: parsed };
}

/**
 * Decodes UTF-8 JSON bytes and validates them; every failure is reported as issues. A record
 * already in the contract's wire form passes the compiled check and skips zod (the value is a
 * fresh JSON.parse result, so handing it over as is shares nothing); anything else meets zod.
 */
export function parseJson<T>(
  contract: Contract<T>,
  bytes: Uint8Array | string | null | undefined,
): ValidationResult<T> {
  const text = utf8Text(bytes);
  if (typeof text !== 'string') return text;
  const parsed = parseText(text);
  return parsed instanceof InvalidJson ? parsed.failure : validateParsed(contract, parsed);
}

/**
 * Validates a value JSON.parse made: the value itself when the compiled check accepts it as is,
 * else zod's normalised copy (so `result.value === value` tells which). A number JSON.parse
 * turned into ±Infinity (`1e999`) fails the compiled check (`strictNumbers`) and meets zod.
 */
export function validateParsed<T>(contract: Contract<T>, value: unknown): ValidationResult<T> {
  const check = compiledCheckOf(contract);
  if (check !== undefined && check(value)) return { ok: true, value: value as T };
  return validate(contract, value);
}

/** Validates and returns the normalised value, or throws a ContractViolationError. */
export function parseOrThrow<T>(contract: Contract<T>, value: unknown): T {
  const result = validate(contract, value);
  if (!result.ok) throw new ContractViolationError(contract.schemaId, result.issues);
  return result.value;
}

/** Validates what a producer is about to send and returns its JSON text; throws on a violation. */
export function serializeJson<C extends Contract>(contract: C, value: ContractInput<C>): string {
  return JSON.stringify(parseOrThrow(contract, value));
}

/**
 * JSON Schema (draft 2020-12) for the docs. `output` (default) describes the normalised wire form
 * producers write; `input` describes everything the parser accepts (e.g. ISO timestamps).
 */
export function toJsonSchema(
  contract: Contract,
  options: { io?: 'input' | 'output' } = {},
): JsonSchema {
  const schema = z.toJSONSchema(contract.schema, {
    io: options.io ?? 'output',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  return { ...schema, title: contract.schemaId };
}

/** Thrown by consumers when a message breaks its contract: no retry can fix it, so it goes to the DLQ. */
export class ContractViolationError extends Error {
  readonly code = 'CONTRACT_VIOLATION' as const;
  readonly retryable = false as const;

  constructor(
    readonly schemaId: string,
    readonly issues: readonly ContractIssue[],
  ) {
    super(`${schemaId} contract violated: ${formatIssues(issues)}`);
    this.name = 'ContractViolationError';
  }
}

/** Renders issues on one line for logs and the `dlq.error.message` header. */
export function formatIssues(issues: readonly ContractIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}

/** Turns a zod path into the dotted form used in issues (`readings.3.ts`, `''` for the root). */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}

/** Maps zod issues to contract issues, one issue per offending field. */
export function toContractIssues(issues: readonly z.core.$ZodIssue[]): ContractIssue[] {
  return issues.flatMap((i): ContractIssue[] => {
    // zod reports unknown keys once on the parent; name each key so the path points at it.
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((key) => ({
        path: formatPath([...i.path, key]),
        message: 'unknown field',
        code: i.code,
      }));
    }
    if (i.code === 'invalid_key') {
      const inner = i.issues.map((nested) => nested.message).join('; ');
      return [{ path: formatPath(i.path), message: `invalid key: ${inner}`, code: i.code }];
    }
    const missing = i.code === 'invalid_type' && 'input' in i && i.input === undefined;
    const message = missing ? `required (expected ${i.expected})` : i.message;
    return [{ path: formatPath(i.path), message, code: i.code }];
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function issue(code: string, message: string): Failure {
  return { ok: false, issues: [{ path: '', message, code }] };
}
