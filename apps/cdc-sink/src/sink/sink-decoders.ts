import {
  decodeJson,
  deviceChangeContract,
  unwrapConnectJson,
  validate,
  validateParsed,
  type Contract,
  type DeviceChange,
  type ValidationResult,
} from '@streamline/contracts';

/** A validated value plus the fields its contract does not know (kept in `extra jsonb`). */
export interface Decoded<T> {
  value: T;
  extra: Record<string, unknown> | null;
}

/** A change of `registry.devices` with its source position. */
export interface DecodedDeviceChange extends Decoded<DeviceChange> {
  /** `source.lsn`: the WAL position of the change, which orders the changes of a row. */
  lsn: bigint;
}

/** The fields of `raw` not listed in `known`, or null when there are none. */
export function extraFields(
  raw: unknown,
  known: ReadonlySet<string>,
): Record<string, unknown> | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  let extra: Record<string, unknown> | null = null;
  for (const [name, value] of Object.entries(raw)) {
    if (known.has(name)) continue;
    extra ??= {};
    extra[name] = value;
  }
  return extra;
}

function rejection(path: string, message: string): ValidationResult<never> {
  return { ok: false, issues: [{ path, message, code: 'custom' }] };
}

/**
 * Decodes a JSON record against its contract; unknown top-level fields go to `extra`. A record
 * the compiled check accepts as is has none (it would have refused them), so only zod's
 * normalised copies are searched for them.
 */
export function contractDecoder<T>(contract: Contract<T>, known: readonly string[]) {
  const knownSet = new Set(known);
  return (bytes: Buffer | null): ValidationResult<Decoded<T> | null> => {
    const json = decodeJson(bytes);
    if (!json.ok) return json;
    const result = validateParsed(contract, json.value);
    if (!result.ok) return result;
    const extra = result.value === json.value ? null : extraFields(json.value, knownSet);
    return { ok: true, value: { value: result.value, extra } };
  };
}

/** The columns of `registry.devices` this version maps (both spellings of the timestamps). */
const DEVICE_COLUMNS = new Set([
  'id',
  'name',
  'type',
  'location',
  'thresholds',
  'created_at',
  'createdAt',
  'updated_at',
  'updatedAt',
]);

/**
 * Decodes a Debezium change of `registry.devices`, with or without the Connect `{schema, payload}`
 * wrapper. A tombstone (null value or null payload) yields null: nothing to write, the delete
 * before it did the work. A change without a numeric `source.lsn` cannot be ordered: rejected.
 */
export function decodeDeviceChange(
  bytes: Buffer | null,
): ValidationResult<DecodedDeviceChange | null> {
  if (bytes === null) return { ok: true, value: null };
  const json = decodeJson(bytes);
  if (!json.ok) return json;
  const raw = unwrapConnectJson(json.value);
  if (raw === null) return { ok: true, value: null };
  const result = validate(deviceChangeContract, json.value);
  if (!result.ok) return result;
  const lsn = result.value.source['lsn'];
  if (typeof lsn !== 'number' || !Number.isSafeInteger(lsn) || lsn < 0) {
    return rejection('source.lsn', "must be the change's WAL position (a non-negative integer)");
  }
  const after = (raw as { after?: unknown }).after;
  return {
    ok: true,
    value: { value: result.value, lsn: BigInt(lsn), extra: extraFields(after, DEVICE_COLUMNS) },
  };
}
