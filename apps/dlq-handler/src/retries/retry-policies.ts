import type { RetryTopicPolicy } from '@streamline/messaging';
import { z } from 'zod';

const policyEntry = z
  .object({
    maxAttempts: z.number().int().min(1).max(100).default(5),
    initialMs: z.number().int().min(0).default(1_000),
    maxMs: z.number().int().min(0).default(60_000),
    multiplier: z.number().min(1).max(10).default(2),
    jitter: z.number().min(0).max(1).default(0.2),
  })
  .strict()
  .refine((p) => p.maxMs >= p.initialMs, { message: 'maxMs must be >= initialMs' });

/** Per-topic policies keyed by origin topic; `*` applies to every topic without its own. */
export type RetryPolicies = Readonly<Record<string, RetryTopicPolicy>>;

/** `RETRY_POLICIES`: JSON object of policies; `{}` (default) leaves timing to the failing consumer. */
export const retryPoliciesVar = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1), policyEntry))
  .transform((entries): RetryPolicies =>
    Object.fromEntries(
      Object.entries(entries).map(([topic, p]) => [
        topic,
        {
          maxAttempts: p.maxAttempts,
          backoff: {
            initialMs: p.initialMs,
            maxMs: p.maxMs,
            multiplier: p.multiplier,
            jitter: p.jitter,
          },
        },
      ]),
    ),
  );

/** The policy of an origin topic: its own, else `*`, else none (the consumer's `retry.not-before` rules). */
export function policyFor(
  policies: RetryPolicies,
  originTopic: string,
): RetryTopicPolicy | undefined {
  return Object.hasOwn(policies, originTopic) ? policies[originTopic] : policies['*'];
}
