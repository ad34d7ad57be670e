import { z } from 'zod';
import { eventTypeSchema, userIdSchema } from '../../common/identifiers';
import { epochMsSchema, timestampSchema } from '../../common/timestamp';
import { defineContract } from '../../contract';

const NIL_OR_MAX_UUID = /^(0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i;

/** The idempotency key downstream: lower-cased so that `A1B2...` and `a1b2...` are one event. */
const eventIdSchema = z
  .uuid({ message: 'eventId must be a UUID' })
  .toLowerCase()
  .refine((id) => !NIL_OR_MAX_UUID.test(id), {
    message: 'eventId must not be the nil or max UUID (every event would collide on it)',
  });

/** Free-form event properties: any JSON object. */
export const userActivityPropertiesSchema = z.record(z.string(), z.json());

/**
 * An event as HTTP clients send it to event-producer. `eventId` is generated (UUID v4) when absent;
 * a client that retries a request should send its own eventId so the retry is deduplicated.
 * Unknown fields are rejected: a misspelt `userID` must not be silently dropped.
 */
export const userActivityInputSchema = z.strictObject({
  eventId: eventIdSchema
    .optional()
    .transform((id) => id ?? globalThis.crypto.randomUUID())
    .pipe(z.uuid()),
  userId: userIdSchema,
  type: eventTypeSchema,
  ts: timestampSchema,
  properties: userActivityPropertiesSchema.optional(),
});

/**
 * The wire form of an eventId, for the compiled check: lower case and neither the nil nor the max
 * UUID (what `eventIdSchema` leaves after normalising). Any other form still meets zod.
 */
const WIRE_EVENT_ID =
  '^(?!00000000-0000-0000-0000-000000000000$)(?!ffffffff-ffff-ffff-ffff-ffffffffffff$)[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

/** A record on `events.user-activity.v1`; key = userId. */
export const userActivitySchema = z.object({
  eventId: eventIdSchema.meta({ pattern: WIRE_EVENT_ID }),
  userId: userIdSchema,
  type: eventTypeSchema,
  ts: epochMsSchema,
  properties: userActivityPropertiesSchema.optional(),
});

export type UserActivityInput = z.input<typeof userActivityInputSchema>;
export type UserActivity = z.output<typeof userActivitySchema>;
export type UserActivityProperties = z.output<typeof userActivityPropertiesSchema>;

/** The HTTP body contract of event-producer. */
export const userActivityInputContract = defineContract(
  'user-activity.input',
  1,
  userActivityInputSchema,
);

/** The Kafka record contract, `schema: user-activity/1`. */
export const userActivityContract = defineContract('user-activity', 1, userActivitySchema, {
  // Its JSON Schema says all: compiled-validator.spec.ts proves it on generated records.
  exactJsonSchema: true,
});
