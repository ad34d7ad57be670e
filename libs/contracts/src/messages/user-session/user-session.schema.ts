import { z } from 'zod';
import { eventTypeSchema, hasKeys, userIdSchema } from '../../common/identifiers';
import { reportFindings, type Finding } from '../../common/refinements';
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
  .superRefine((s, ctx) => reportFindings(ctx, sessionFindings(s)));

/** What is wrong with a session beyond its shape: id, bounds and counts must agree. */
function sessionFindings(s: {
  sessionId: string;
  userId: string;
  sessionStart: number;
  sessionEnd: number;
  eventCount: number;
  types: Record<string, number>;
}): Finding[] {
  const findings: Finding[] = [];
  const expectedId = sessionIdOf(s.userId, s.sessionStart);
  if (s.sessionId !== expectedId) {
    findings.push({
      path: 'sessionId',
      message: `must be "<userId>:<sessionStart>" (${expectedId})`,
    });
  }
  if (s.sessionEnd < s.sessionStart) {
    findings.push({ path: 'sessionEnd', message: 'is before sessionStart' });
  }
  let total = 0;
  for (const type in s.types) total += s.types[type] as number;
  if (total !== s.eventCount) {
    findings.push({
      path: 'eventCount',
      message: `is ${s.eventCount} but the type counts add up to ${total}`,
    });
  }
  return findings;
}

export type UserSession = z.output<typeof userSessionSchema>;

/** `schema: agg.user-sessions/1`. */
export const userSessionContract = defineContract('agg.user-sessions', 1, userSessionSchema, {
  exactJsonSchema: true,
  refinementsHold: (s) => sessionFindings(s).length === 0,
});
