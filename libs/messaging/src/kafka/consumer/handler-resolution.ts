import { compiledCheckOf, contractForTopic, parseJson, type Contract } from '@streamline/contracts';
import {
  resolveFailurePolicy,
  type FailurePolicy,
  type FailurePolicyInput,
} from '../retry/failure-policy';
import type { HandlerRegistration, RecordHandler, ValueDecoder } from './consumer-options';

/** A registration with its decoder and policy settled, ready for the hot path. */
export interface ResolvedHandler {
  topic: string;
  handler: RecordHandler<unknown>;
  decode: ValueDecoder<unknown>;
  /** Named in the ContractViolationError of a record that fails decoding. */
  schemaId: string;
  policy: FailurePolicy;
}

/** Settles a registration; throws when the topic has no contract and no decoder was given. */
export function resolveHandler(
  registration: HandlerRegistration,
  defaultPolicy: FailurePolicy,
): ResolvedHandler {
  const contract: Contract | undefined =
    registration.contract ?? contractForTopic(registration.topic);
  let decode = registration.decode;
  if (!decode && contract) decode = contractDecoder(contract);
  if (!decode) {
    throw new Error(
      `no contract is known for topic "${registration.topic}": give the handler a contract or a decoder`,
    );
  }
  return {
    topic: registration.topic,
    handler: registration.handler,
    decode,
    schemaId: contract?.schemaId ?? 'custom-decoder',
    policy: resolveFailurePolicy(registration.failurePolicy, defaultPolicy),
  };
}

/**
 * The contract's strict UTF-8 JSON parser and validator, as a record value decoder. The compiled
 * check is built now, when the handler is registered, not on the first record.
 */
export function contractDecoder<T>(contract: Contract<T>): ValueDecoder<T> {
  compiledCheckOf(contract);
  return (value) => parseJson(contract, value);
}

/** Settles every registration, one per topic; throws on a duplicate topic or an empty list. */
export function resolveHandlers(
  registrations: readonly HandlerRegistration[],
  defaultPolicy?: FailurePolicyInput,
): Map<string, ResolvedHandler> {
  const defaults = resolveFailurePolicy(defaultPolicy);
  const handlers = new Map<string, ResolvedHandler>();
  for (const registration of registrations) {
    if (handlers.has(registration.topic)) {
      throw new Error(`topic "${registration.topic}" has more than one handler`);
    }
    handlers.set(registration.topic, resolveHandler(registration, defaults));
  }
  if (handlers.size === 0) throw new Error('a ContractConsumer needs at least one handler');
  return handlers;
}
