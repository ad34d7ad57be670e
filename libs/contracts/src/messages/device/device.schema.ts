import { z } from 'zod';
import { deviceIdSchema, hasKeys, metricNameSchema } from '../../common/identifiers';
import { epochMsSchema, timestampSchema } from '../../common/timestamp';
import { defineContract } from '../../contract';

/** Alert bounds for one metric: at least one of min/max, and min <= max when both are given. */
export const thresholdSchema = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .superRefine((t, ctx) => {
    if (t.min === undefined && t.max === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a threshold needs min, max or both' });
    } else if (t.min !== undefined && t.max !== undefined && t.min > t.max) {
      // Reported on `max` so that a form can mark the field the user most likely mistyped.
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `max (${t.max}) must be greater than or equal to min (${t.min})`,
      });
    }
  });

/** `{ <metric>: { min?, max? } }`. */
export const thresholdsSchema = z.record(metricNameSchema, thresholdSchema);

const nameSchema = z.string().trim().min(1, 'name must not be empty').max(200);
const typeSchema = z.string().trim().min(1, 'type must not be empty').max(64);
const locationSchema = z.string().trim().min(1, 'location must not be empty').max(200);

/**
 * `POST /devices` body. Unknown fields are rejected so that a misspelt `tresholds` fails loudly
 * instead of creating a device without alerting.
 */
export const deviceCreateInputSchema = z.strictObject({
  id: deviceIdSchema,
  name: nameSchema,
  type: typeSchema,
  location: locationSchema.optional(),
  thresholds: thresholdsSchema.optional(),
});

/** `PATCH /devices/:id` body: any subset of fields; `null` clears location or thresholds. */
export const deviceUpdateInputSchema = z
  .strictObject({
    name: nameSchema.optional(),
    type: typeSchema.optional(),
    location: locationSchema.nullable().optional(),
    thresholds: thresholdsSchema.nullable().optional(),
  })
  .refine(hasKeys, { message: 'nothing to update: give at least one field' });

const deviceFields = {
  id: deviceIdSchema,
  name: nameSchema,
  type: typeSchema,
  location: locationSchema.nullable().optional(),
  thresholds: thresholdsSchema.nullable().optional(),
};

function checkTimeOrder(d: { createdAt: number; updatedAt: number }, ctx: z.RefinementCtx): void {
  if (d.updatedAt < d.createdAt) {
    ctx.addIssue({ code: 'custom', path: ['updatedAt'], message: 'is before createdAt' });
  }
}

/**
 * A device of the registry (`registry.devices`, HTTP `/devices` responses); key = id.
 * createdAt/updatedAt accept epoch ms or ISO-8601 (what a database driver hands over) and yield
 * epoch ms.
 */
export const deviceSchema = z
  .object({ ...deviceFields, createdAt: timestampSchema, updatedAt: timestampSchema })
  .superRefine(checkTimeOrder);

/** The same device once normalised: the target of `deviceRowSchema`. */
const normalisedDeviceSchema = z
  .object({ ...deviceFields, createdAt: epochMsSchema, updatedAt: epochMsSchema })
  .superRefine(checkTimeOrder);

/** Debezium sends a jsonb column as JSON text; anything that is not JSON text passes unchanged. */
function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value; // left as a string, so the thresholds schema reports it at its own path
  }
}

/**
 * A `registry.devices` row as Debezium captures it (the `after` of a change event). Accepts the
 * columns in snake_case (`created_at`) or TypeORM's default camelCase (`createdAt`), jsonb
 * thresholds as JSON text or object, and timestamptz as ISO-8601 (Debezium's ZonedTimestamp) or
 * epoch ms; yields a `Device`.
 */
export const deviceRowSchema = z
  .object({
    id: deviceIdSchema,
    name: nameSchema,
    type: typeSchema,
    location: locationSchema.nullable().optional(),
    thresholds: z.preprocess(parseJsonText, thresholdsSchema.nullable().optional()),
    createdAt: timestampSchema.optional(),
    created_at: timestampSchema.optional(),
    updatedAt: timestampSchema.optional(),
    updated_at: timestampSchema.optional(),
  })
  .transform(({ created_at, updated_at, ...row }, ctx) => {
    const createdAt = row.createdAt ?? created_at;
    const updatedAt = row.updatedAt ?? updated_at;
    if (createdAt === undefined || updatedAt === undefined) {
      const path = createdAt === undefined ? 'createdAt' : 'updatedAt';
      ctx.addIssue({
        code: 'custom',
        path: [path],
        message: 'required (as createdAt or created_at)',
      });
      return z.NEVER;
    }
    return { ...row, createdAt, updatedAt };
  })
  .pipe(normalisedDeviceSchema);

/**
 * The `before` of an update or delete: with Postgres' default REPLICA IDENTITY only the primary key
 * is present, so only `id` is required; other columns pass through untyped.
 */
export const deviceKeySchema = z.looseObject({ id: deviceIdSchema });

export type Threshold = z.output<typeof thresholdSchema>;
export type Thresholds = z.output<typeof thresholdsSchema>;
export type DeviceCreateInput = z.input<typeof deviceCreateInputSchema>;
export type DeviceUpdateInput = z.input<typeof deviceUpdateInputSchema>;
export type DeviceCreate = z.output<typeof deviceCreateInputSchema>;
export type DeviceUpdate = z.output<typeof deviceUpdateInputSchema>;
export type Device = z.output<typeof deviceSchema>;
export type DeviceKey = z.output<typeof deviceKeySchema>;

/** A device as the registry and its HTTP API return it, `registry.device/1`. */
export const deviceContract = defineContract('registry.device', 1, deviceSchema);
/** The `POST /devices` body. */
export const deviceCreateInputContract = defineContract(
  'registry.device.create',
  1,
  deviceCreateInputSchema,
);
/** The `PATCH /devices/:id` body. */
export const deviceUpdateInputContract = defineContract(
  'registry.device.update',
  1,
  deviceUpdateInputSchema,
);
