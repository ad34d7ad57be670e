import { withTimeout } from './with-timeout';

describe('withTimeout', () => {
  it('resolves with the value when the promise settles in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 1_000, 'x')).resolves.toBe(42);
  });

  it('rejects with the message and the limit when it does not', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 20, 'kafka did not answer')).rejects.toThrow(
      'kafka did not answer within 20 ms',
    );
  });

  it('passes the original rejection through', async () => {
    await expect(withTimeout(Promise.reject(new Error('refused')), 1_000, 'x')).rejects.toThrow(
      'refused',
    );
  });
});
