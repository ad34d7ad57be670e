import type { z } from 'zod';

/**
 * What a refinement finds wrong: the field (relative to the refined object) and why. Refinements
 * are written as functions returning findings, so zod's `superRefine` and a contract's
 * `refinementsHold` (the compiled check) share one copy of the rule.
 */
export interface Finding {
  path: string;
  message: string;
}

/** Reports findings as zod issues; `undefined` entries are rules that held. */
export function reportFindings(
  ctx: z.core.$RefinementCtx,
  findings: ReadonlyArray<Finding | undefined>,
): void {
  for (const finding of findings) {
    if (finding) ctx.addIssue({ code: 'custom', path: [finding.path], message: finding.message });
  }
}
