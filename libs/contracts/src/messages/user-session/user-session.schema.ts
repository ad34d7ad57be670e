import { z } from 'zod';
import { eventTypeSchema, hasKeys, userIdSchema } from '../../common/identifiers';
import { epochMsSchema } from '../../common/timestamp';
import { defineContract } from '../../contract';

/** A record on `agg.user-sessions.v1`; key = userId. */
export const userSessionSchema = z
  .object({
    userId: userIdSchema,
    /** Event time of the first event, epoch ms. */
    sessionStart: epochMsSchema,
    /** Event time of the last event, epoch ms. */
    sessionEnd: epochMsSchema,
    eventCount: z.int().min(1, 'a session holds at least one event'),
    /** Events per activity type; the counts add up to eventCount. */
    types: z
      .record(eventTypeSchema, z.int().min(1, 'a listed type occurred at least once'))
      .refine(hasKeys, { message: 'at least one event type is required' })
      .meta({ minProperties: 1 }),
  })
  .superRefine((s, ctx) => {
    if (s.sessionEnd < s.sessionStart) {
      ctx.addIssue({ code: 'custom', path: ['sessionEnd'], message: 'is before sessionStart' });
    }
    const total = Object.values(s.types).reduce((sum, n) => sum + n, 0);
    if (total !== s.eventCount) {
      ctx.addIssue({
        code: 'custom',
        path: ['eventCount'],
        message: `is ${s.eventCount} but the type counts add up to ${total}`,
      });
    }
  });

export type UserSession = z.output<typeof userSessionSchema>;

/** `schema: agg.user-sessions/1`. */
export const userSessionContract = defineContract('agg.user-sessions', 1, userSessionSchema);
