import type { SchemaObject } from '@nestjs/swagger';
import { toJsonSchema, type Contract } from '@streamline/contracts';

/**
 * A contract's JSON Schema for `@ApiBody` (`io: 'input'`, what a request may send) or
 * `@ApiResponse` (`io: 'output'`, what the service answers): the docs show exactly what is validated.
 */
export function schemaOf(contract: Contract, io: 'input' | 'output'): SchemaObject {
  const { $schema: _dialect, ...schema } = toJsonSchema(contract, { io }) as Record<
    string,
    unknown
  >;
  return schema as SchemaObject;
}

/** The error body every failure has (see HttpErrorFilter). */
export const ERROR_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'error', 'code', 'message', 'retryable'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    code: { type: 'string', example: 'VALIDATION_FAILED' },
    message: { type: 'string' },
    retryable: { type: 'boolean' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          path: { type: 'string', example: 'userId' },
          reason: { type: 'string' },
          code: { type: 'string' },
        },
      },
    },
  },
};
