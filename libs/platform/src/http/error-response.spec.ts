import { BadRequestException, HttpException, InternalServerErrorException } from '@nestjs/common';
import { codeForStatus, toErrorResponse } from './error-response';
import {
  DependencyUnavailableError,
  RequestValidationError,
  ServiceError,
  UnsupportedMediaTypeError,
} from './service-error';

describe('toErrorResponse', () => {
  it('maps a service code through the service map, keeping message and issues', () => {
    const response = toErrorResponse(new ServiceError('DEVICE_EXISTS', 'device d-1 exists'), {
      DEVICE_EXISTS: 409,
    });
    expect(response).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'Conflict',
        code: 'DEVICE_EXISTS',
        message: 'device d-1 exists',
        retryable: false,
      },
      headers: {},
      internal: false,
    });
  });

  it('renders validation issues with path and reason', () => {
    const response = toErrorResponse(
      new RequestValidationError([{ path: 'userId', reason: 'required', code: 'invalid_type' }]),
    );
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('userId: required');
    expect(response.body.issues).toEqual([
      { path: 'userId', reason: 'required', code: 'invalid_type' },
    ]);
  });

  it("takes an error shaped like the contracts library's ContractViolationError at its word (400, issues)", () => {
    const error = Object.assign(new Error('user-activity/1 contract violated'), {
      code: 'CONTRACT_VIOLATION',
      retryable: false,
      issues: [{ path: 'ts', message: 'expected number', code: 'invalid_type' }],
    });
    const response = toErrorResponse(error);
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([
      { path: 'ts', reason: 'expected number', code: 'invalid_type' },
    ]);
  });

  it('answers an unmapped retryable error with 503 and Retry-After, with its reason', () => {
    const response = toErrorResponse(
      Object.assign(new Error('Kafka did not acknowledge within 2000 ms'), {
        code: 'KAFKA_DELIVERY_TIMEOUT',
        retryable: true,
      }),
    );
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toMatchObject({
      code: 'KAFKA_DELIVERY_TIMEOUT',
      message: 'Kafka did not acknowledge within 2000 ms',
      retryable: true,
    });
  });

  it('keeps DependencyUnavailableError a 503', () => {
    expect(toErrorResponse(new DependencyUnavailableError('DB_DOWN', 'postgres down')).status).toBe(
      503,
    );
  });

  it.each([
    ['a plain Error', new Error('password=hunter2 at line 3')],
    ['an unmapped permanent code', new ServiceError('WEIRD', 'internal detail')],
    ['a thrown string', 'boom'],
    ['a Nest 500', new InternalServerErrorException('db password wrong')],
  ])('hides %s behind a generic 500', (_name, error) => {
    const response = toErrorResponse(error);
    expect(response.status).toBe(500);
    expect(response.internal).toBe(true);
    expect(response.body.code).toBe('INTERNAL');
    expect(JSON.stringify(response.body)).not.toMatch(/hunter2|internal detail|boom|password/);
  });

  it('uses the status of Nest HttpExceptions and Fastify 4xx errors', () => {
    expect(toErrorResponse(new BadRequestException('bad')).body).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'bad',
    });
    expect(toErrorResponse(new HttpException('Request body is too large', 413)).body.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    const tooMany = Object.assign(new Error('slow down'), { statusCode: 429 });
    expect(toErrorResponse(tooMany).status).toBe(429);
    const badJson = Object.assign(new SyntaxError('Unexpected end of JSON'), { statusCode: 400 });
    expect(toErrorResponse(badJson).body.code).toBe('INVALID_JSON');
  });

  it('passes a body an HttpException was given on purpose (a readiness report) through unchanged', () => {
    const report = { status: 'error', error: { kafka: { status: 'down', message: 'refused' } } };
    const response = toErrorResponse(new HttpException(report, 503));
    expect(response.status).toBe(503);
    expect(response.body).toEqual(report);
  });

  it('reports a media-type refusal as 415', () => {
    const response = toErrorResponse(
      new UnsupportedMediaTypeError('text/plain', ['application/json']),
    );
    expect(response.status).toBe(415);
    expect(response.body.message).toContain('text/plain');
  });

  it('names statuses without a specific code', () => {
    expect(codeForStatus(404)).toBe('NOT_FOUND');
    expect(codeForStatus(418)).toBe('HTTP_418');
    expect(codeForStatus(502)).toBe('INTERNAL');
  });
});
