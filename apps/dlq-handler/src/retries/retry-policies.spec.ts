import { policyFor, retryPoliciesVar } from './retry-policies';

describe('RETRY_POLICIES', () => {
  it('fills each policy with the defaults and falls back to *', () => {
    const policies = retryPoliciesVar.parse(
      '{"a.v1":{"maxAttempts":3,"initialMs":100,"maxMs":400},"*":{"maxAttempts":7}}',
    );
    expect(policyFor(policies, 'a.v1')).toEqual({
      maxAttempts: 3,
      backoff: { initialMs: 100, maxMs: 400, multiplier: 2, jitter: 0.2 },
    });
    expect(policyFor(policies, 'other')?.maxAttempts).toBe(7);
  });

  it('has no policy by default, so the consumer-written not-before rules', () => {
    expect(policyFor(retryPoliciesVar.parse(undefined), 'a.v1')).toBeUndefined();
  });

  it.each([
    ['not json', 'must be a JSON object'],
    ['{"a":{"maxAttempts":0}}', 'maxAttempts'],
    ['{"a":{"initialMs":500,"maxMs":100}}', 'maxMs must be >= initialMs'],
    ['{"a":{"maxAttempt":3}}', 'maxAttempt'],
  ])('refuses %s', (text, reason) => {
    const result = retryPoliciesVar.safeParse(text);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(reason);
  });
});
