import { z } from 'zod';
import { eventTypeSchema, hasKeys, userIdSchema } from '../../common/identifiers';
import { epochMsSchema } from '../../common/timestamp';
import { defineContract } from '../../contract';

/** The id of the session that starts at `sessionStart` (epoch ms) for a user. */
export function sessionIdOf(userId: string, sessionStart: number): string {
  return `${userId}:${sessionStart}`;
}

/** A record on `agg.user-sessions.v1`; key = userId. */
export const userSessionSchema = z
  .object({
    /** `<userId>:<sessionStart>`: deterministic, so a re-emitted session upserts the same row. */
    sessionId: z.string().min(1).max(600),
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
    if (s.sessionId !== sessionIdOf(s.userId, s.sessionStart)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sessionId'],
        message: `must be "<userId>:<sessionStart>" (${sessionIdOf(s.userId, s.sessionStart)})`,
      });
    }
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
