import { z } from 'zod';
import { epochMsSchema } from '../../common/timestamp';
import { defineContract } from '../../contract';
import { telemetryRecordSchema } from '../telemetry/telemetry.schema';

/** Why a reading was not aggregated; open set, the known values are here. */
export const LATE_REASONS = {
  /** Its window had closed: stream time had passed the window end plus the grace period. */
  WINDOW_CLOSED: 'window-closed',
} as const;

/**
 * A record on `iot.telemetry.late.v1`; key = deviceId. A reading that missed its window is kept
 * here with the window it missed and the stream time at that moment: counted, never dropped.
 */
export const lateReadingSchema = z
  .object({
    reading: telemetryRecordSchema,
    windowStart: epochMsSchema,
    windowEnd: epochMsSchema,
    /** The partition's stream time (highest event time seen, or idle-advanced) when it arrived. */
    streamTime: epochMsSchema,
    reason: z.string().regex(/^[a-z0-9-]{1,64}$/, { message: 'reason must be a short identifier' }),
  })
  .superRefine((l, ctx) => {
    if (l.windowEnd <= l.windowStart) {
      ctx.addIssue({ code: 'custom', path: ['windowEnd'], message: 'must be after windowStart' });
    }
    if (l.reading.ts < l.windowStart || l.reading.ts >= l.windowEnd) {
      ctx.addIssue({
        code: 'custom',
        path: ['reading', 'ts'],
        message: 'must lie in [windowStart, windowEnd)',
      });
    }
  });

export type LateReading = z.output<typeof lateReadingSchema>;

/** `schema: iot.telemetry.late/1`. */
export const lateReadingContract = defineContract('iot.telemetry.late', 1, lateReadingSchema);
