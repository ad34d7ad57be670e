import { z } from 'zod';
import { epochMsSchema } from '../../common/timestamp';
import {
  decodeJson,
  defineContract,
  validate,
  type Contract,
  type ValidationResult,
} from '../../contract';
import { deviceKeySchema, deviceRowSchema } from '../device/device.schema';

/** Debezium operations: create, update, delete, read (snapshot). */
export const CDC_OPERATIONS = ['c', 'u', 'd', 'r'] as const;
export type CdcOperation = (typeof CDC_OPERATIONS)[number];

/** Where the change happened; Debezium adds connector-specific fields, which pass through. */
export const cdcSourceSchema = z.looseObject({
  connector: z.string().optional(),
  db: z.string().optional(),
  schema: z.string().optional(),
  table: z.string().optional(),
});

/** Builds the envelope schema for one table: `after` is a full row, `before` may hold only the key. */
export function cdcEnvelopeSchema<A extends z.ZodType, B extends z.ZodType>(after: A, before: B) {
  return z
    .object({
      before: before.nullable(),
      after: after.nullable(),
      op: z.enum(CDC_OPERATIONS, { message: 'op must be one of c, u, d, r' }),
      source: cdcSourceSchema,
      ts_ms: epochMsSchema,
    })
    .superRefine((envelope, ctx) => {
      // The row types are generic here, so TS cannot see `after`; only op and nullness matter.
      const { op, after } = envelope as unknown as { op: CdcOperation; after: unknown };
      // A change event whose row is missing cannot be applied; say which side is wrong.
      if (op !== 'd' && after === null) {
        ctx.addIssue({ code: 'custom', path: ['after'], message: `required for op "${op}"` });
      }
      if (op === 'd' && after !== null) {
        ctx.addIssue({ code: 'custom', path: ['after'], message: 'must be null for op "d"' });
      }
    });
}

/** Whether a decoded value is Kafka Connect's JsonConverter framing `{ schema, payload }`. */
export function isConnectJsonWrapper(
  value: unknown,
): value is { schema: unknown; payload: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'schema' in value &&
    'payload' in value
  );
}

/** Removes the `{ schema, payload }` framing if present; returns anything else unchanged. */
export function unwrapConnectJson(value: unknown): unknown {
  return isConnectJsonWrapper(value) ? value.payload : value;
}

/**
 * Accepts an envelope with or without the Connect wrapper. A fault inside a wrapped value is
 * reported at its real path (`payload.after.name`), not relative to the payload.
 */
export function withConnectWrapper<S extends z.ZodType>(envelope: S) {
  return z.preprocess((value, ctx) => {
    if (!isConnectJsonWrapper(value)) return value;
    const inner = envelope.safeParse(value.payload);
    if (inner.success) return value.payload;
    for (const issue of inner.error.issues) {
      ctx.addIssue({ ...issue, path: ['payload', ...issue.path] } as z.core.$ZodRawIssue);
    }
    return z.NEVER;
  }, envelope);
}

/** Any Debezium change event: rows are untyped objects. */
export const genericCdcEnvelopeSchema = withConnectWrapper(
  cdcEnvelopeSchema(z.record(z.string(), z.unknown()), z.record(z.string(), z.unknown())),
).meta({ description: 'Debezium change event, optionally inside Kafka Connect {schema, payload}' });

/** A change of `registry.devices` on `cdc.registry.devices`. */
export const deviceChangeSchema = withConnectWrapper(
  cdcEnvelopeSchema(deviceRowSchema, deviceKeySchema),
).meta({ description: 'Debezium change of registry.devices, optionally inside {schema, payload}' });

export type CdcSource = z.output<typeof cdcSourceSchema>;
export type CdcEnvelope = z.output<typeof genericCdcEnvelopeSchema>;
export type DeviceChange = z.output<typeof deviceChangeSchema>;

export const cdcEnvelopeContract = defineContract('debezium.envelope', 1, genericCdcEnvelopeSchema);
export const deviceChangeContract = defineContract('cdc.registry.devices', 1, deviceChangeSchema);

/**
 * Decodes a record value from a `cdc.*` topic. A tombstone (null value, JSON `null`, or a wrapper
 * whose payload is null) yields `{ ok: true, value: null }`: it follows a delete and compacts it away.
 */
export function parseCdcValue<T>(
  contract: Contract<T>,
  bytes: Uint8Array | string | null | undefined,
): ValidationResult<T | null> {
  if (bytes === null || bytes === undefined) return { ok: true, value: null };
  const decoded = decodeJson(bytes);
  if (!decoded.ok) return decoded;
  if (unwrapConnectJson(decoded.value) === null) return { ok: true, value: null };
  return validate(contract, decoded.value);
}

/** The id of the row a device change is about (after for c/u/r, before for d). */
export function deviceIdOfChange(change: DeviceChange): string | undefined {
  return change.after?.id ?? change.before?.id;
}
