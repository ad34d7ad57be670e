import { RequestValidationError, type RequestIssue } from './service-error';

/** Deeper JSON than this is refused before validation: recursive schemas would overflow the stack. */
export const MAX_JSON_DEPTH = 32;

/** A fault as a validator reports it; @streamline/contracts' ContractIssue has this shape. */
export interface ValidationIssue {
  /** Dotted path below the validated value, `''` for the value itself. */
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

/**
 * Checks a value and never throws, e.g. `(v) => validate(contract, v)` with the contracts
 * library. A function keeps this library free of any schema library's types.
 */
export type Validator<T> = (
  value: unknown,
) =>
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** Outcome of validating one value: the typed value, or the faults with their paths. */
export type RequestCheck<T> = { ok: true; value: T } | { ok: false; issues: RequestIssue[] };

/**
 * Validates a request value and never throws: faults carry the dotted path (below `pathPrefix`,
 * e.g. `records.3.value`) and the reason. Values nested too deep are refused before the
 * validator walks them.
 */
export function checkRequest<T>(
  validator: Validator<T>,
  value: unknown,
  pathPrefix = '',
): RequestCheck<T> {
  if (exceedsJsonDepth(value, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      issues: [
        {
          path: pathPrefix,
          reason: `nested deeper than ${MAX_JSON_DEPTH} levels`,
          code: 'too_deep',
        },
      ],
    };
  }
  const result = validator(value);
  if (result.ok) return { ok: true, value: result.value };
  return { ok: false, issues: toRequestIssues(result.issues, pathPrefix) };
}

/** Validates a request value; throws RequestValidationError (400) with every fault. */
export function validateRequest<T>(validator: Validator<T>, value: unknown, pathPrefix = ''): T {
  const result = checkRequest(validator, value, pathPrefix);
  if (!result.ok) throw new RequestValidationError(result.issues);
  return result.value;
}

/** A validator's issues as request issues, their paths below `pathPrefix`. */
export function toRequestIssues(
  issues: readonly ValidationIssue[],
  pathPrefix = '',
): RequestIssue[] {
  return issues.map((issue) => ({
    path: joinPath(pathPrefix, issue.path),
    reason: issue.message,
    code: issue.code,
  }));
}

/**
 * Refuses (400) a body nested deeper than `maxDepth` before anything recursive (hashing,
 * canonical JSON, schemas) walks it.
 */
export function assertJsonDepth(value: unknown, maxDepth: number, path = ''): void {
  if (exceedsJsonDepth(value, maxDepth)) {
    throw new RequestValidationError([
      { path, reason: `nested deeper than ${maxDepth} levels`, code: 'too_deep' },
    ]);
  }
}

/** `a.b` + `c` → `a.b.c`; either side may be empty. */
export function joinPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  return path === '' ? prefix : `${prefix}.${path}`;
}

/** Whether a parsed JSON value nests objects/arrays deeper than `maxDepth`; iterative, so any depth is safe. */
export function exceedsJsonDepth(value: unknown, maxDepth: number): boolean {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) stack.push({ node: child, depth: depth + 1 });
  }
  return false;
}
