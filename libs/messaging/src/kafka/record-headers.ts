import type { KafkaMessage } from 'kafkajs';

/** Kafka header values arrive as Buffers (or arrays of them); contracts use strings (the last value wins). */
export function headersToStrings(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}
