import {
  HEADERS,
  contractBySchemaId,
  contractForTopic,
  validate,
  type Contract,
} from '@streamline/contracts';
import { checkRequest, RequestValidationError } from '@streamline/platform';
import { headersOf } from '../dead-letters/dead-letter-view';
import type { DeadLetterRow } from '../dead-letters/dead-letter-row';

/**
 * The contract a corrected value must satisfy: the target topic's, else the one named by the
 * record's own `schema` header (a topic the contracts do not list, e.g. a team's own).
 */
export function contractForReplay(
  target: string,
  row: Pick<DeadLetterRow, 'headers'>,
): Contract | undefined {
  const schemaId = headersOf(row)[HEADERS.SCHEMA];
  return contractForTopic(target) ?? (schemaId ? contractBySchemaId(schemaId) : undefined);
}

/**
 * Validates a corrected value and returns the bytes to send (the contract's normalised JSON).
 * 400 naming each faulty field below `value` when it breaks the contract.
 */
export function correctedValueBytes(contract: Contract | undefined, value: unknown): Buffer {
  if (value === undefined || value === null) {
    throw new RequestValidationError([{ path: 'value', reason: 'a corrected value is required' }]);
  }
  if (!contract) return Buffer.from(JSON.stringify(value));
  const checked = checkRequest((v) => validate(contract, v), value, 'value');
  if (!checked.ok) throw new RequestValidationError(checked.issues);
  return Buffer.from(JSON.stringify(checked.value));
}
