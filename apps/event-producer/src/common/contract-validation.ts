import { validate, type Contract } from '@streamline/contracts';
import {
  checkRequest,
  validateRequest,
  type RequestCheck,
  type Validator,
} from '@streamline/platform';

/** A contract as the platform's request validation takes it. */
export function validatorOf<T>(contract: Contract<T, never>): Validator<T> {
  return (value) => validate(contract, value);
}

/** Checks a request value against a contract, never throwing (see the platform's checkRequest). */
export function checkContract<T>(
  contract: Contract<T, never>,
  value: unknown,
  pathPrefix = '',
): RequestCheck<T> {
  return checkRequest(validatorOf(contract), value, pathPrefix);
}

/** Validates a request value against a contract; 400 with every fault's path and reason. */
export function validateContract<T>(
  contract: Contract<T, never>,
  value: unknown,
  pathPrefix = '',
): T {
  return validateRequest(validatorOf(contract), value, pathPrefix);
}
