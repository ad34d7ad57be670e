import type { KafkaMessage } from 'kafkajs';
import { parseJson, type Contract, type ContractIssue } from '@streamline/contracts';

/** A consumed record whose value satisfied its contract. */
export interface DecodedRecord<T> {
  key: string | null;
  value: T;
  headers: Record<string, string>;
  offset: string;
  timestamp: string;
}

export type DecodeResult<T> =
  { ok: true; record: DecodedRecord<T> } | { ok: false; issues: readonly ContractIssue[] };

/** Kafka header values arrive as Buffers (or arrays of them); contracts use strings. */
export function headersToStrings(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}

/** Decodes and validates a record's value against the contract of its topic. */
export function decodeRecord<T>(
  contract: Contract<T, never>,
  message: KafkaMessage,
): DecodeResult<T> {
  const parsed = parseJson(contract, message.value);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  return {
    ok: true,
    record: {
      key: message.key?.toString() ?? null,
      value: parsed.value,
      headers: headersToStrings(message.headers),
      offset: message.offset,
      timestamp: message.timestamp,
    },
  };
}
