import { NonRetryableError, RetryableError, classifyError } from './processing-error';

describe('classifyError', () => {
  it('takes declared codes and retryability at their word', () => {
    expect(classifyError(new RetryableError('DB_DOWN', 'postgres is down'))).toEqual({
      code: 'DB_DOWN',
      retryable: true,
      errorClass: 'RetryableError',
      message: 'postgres is down',
    });
    expect(classifyError(new NonRetryableError('BAD_INPUT', 'no'))).toMatchObject({
      code: 'BAD_INPUT',
      retryable: false,
    });
  });

  it('honours foreign errors that declare code and retryable (e.g. contract violations)', () => {
    const foreign = Object.assign(new Error('broken'), {
      code: 'CONTRACT_VIOLATION',
      retryable: false,
    });
    expect(classifyError(foreign)).toMatchObject({ code: 'CONTRACT_VIOLATION', retryable: false });
  });

  it('treats unknown errors and thrown non-errors as retryable', () => {
    expect(classifyError(new TypeError('x'))).toEqual({
      code: 'UNEXPECTED',
      retryable: true,
      errorClass: 'TypeError',
      message: 'x',
    });
    expect(classifyError('boom')).toEqual({
      code: 'UNEXPECTED',
      retryable: true,
      errorClass: 'string',
      message: 'boom',
    });
  });
});
