import { DependencyUnavailableError, ServiceError } from '../http/service-error';
import { QueryFailedError } from 'typeorm';
import { sqlStateOf, translateDatabaseError } from './database-errors';

function failed(code: string): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], Object.assign(new Error('pg says no'), { code }));
}

describe('database error translation', () => {
  it.each(['08006', '57P01', '53300', '42P01'])('makes SQLSTATE %s a retryable 503', (code) => {
    expect(translateDatabaseError(failed(code))).toBeInstanceOf(DependencyUnavailableError);
  });

  it('makes a data exception (class 22, e.g. a NUL in text) a client error', () => {
    const error = translateDatabaseError(failed('22021'));
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_VALUE', retryable: false });
  });

  it('treats a refused connection or a data source not yet initialised as unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(translateDatabaseError(refused)).toBeInstanceOf(DependencyUnavailableError);
    const notYet = new Error('DataSource is not initialized');
    expect(translateDatabaseError(notYet)).toBeInstanceOf(DependencyUnavailableError);
  });

  it('leaves other errors as they are', () => {
    const other = failed('42601');
    expect(translateDatabaseError(other)).toBe(other);
    expect(sqlStateOf(other)).toBe('42601');
    expect(sqlStateOf(new Error('x'))).toBeUndefined();
  });
});
