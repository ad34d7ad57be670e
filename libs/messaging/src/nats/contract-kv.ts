import {
  ContractViolationError,
  parseJson,
  validate,
  type Contract,
  type KvSettings,
} from '@streamline/contracts';
import type { KV, NatsConnection } from 'nats';
import { ensureKv, type ProvisionAction } from './jetstream-provisioner';

/** A KV entry whose value satisfied the bucket's contract. */
export interface ContractKvEntry<T> {
  key: string;
  value: T;
  revision: number;
}

/**
 * A NATS KV bucket holding JSON values of one contract: `put` refuses invalid values, `get`
 * refuses (ContractViolationError) a stored value that no longer satisfies the contract.
 */
export class ContractKv<T> {
  constructor(
    readonly kv: KV,
    private readonly contract: Contract<T, never>,
  ) {}

  /** Provisions the bucket from its settings (create or update) and opens it. */
  static async open<T>(
    nc: NatsConnection,
    settings: KvSettings,
    contract: Contract<T, never>,
  ): Promise<{ store: ContractKv<T>; action: ProvisionAction }> {
    const { kv, action } = await ensureKv(nc, settings);
    return { store: new ContractKv(kv, contract), action };
  }

  /** Validates and stores the value; returns the new revision. */
  async put(key: string, value: T): Promise<number> {
    const result = validate(this.contract, value);
    if (!result.ok) throw new ContractViolationError(this.contract.schemaId, result.issues);
    return this.kv.put(key, JSON.stringify(result.value));
  }

  /** The latest value, or undefined if the key was never written or was deleted. */
  async get(key: string): Promise<ContractKvEntry<T> | undefined> {
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') return undefined;
    const parsed = parseJson(this.contract, entry.value);
    if (!parsed.ok) throw new ContractViolationError(this.contract.schemaId, parsed.issues);
    return { key, value: parsed.value, revision: entry.revision };
  }

  /** Soft-deletes the key (a DEL marker; `get` then answers undefined). */
  async delete(key: string): Promise<void> {
    await this.kv.delete(key);
  }
}
