import { z } from 'zod';
import { deviceIdSchema, hasKeys, metricNameSchema } from '../../common/identifiers';
import { epochMsSchema } from '../../common/timestamp';
import { defineContract } from '../../contract';

/** Tumbling one-minute windows, aligned to the epoch minute, end exclusive. */
export const TELEMETRY_WINDOW_MS = 60_000;

/** The start of the one-minute window that contains an event time (epoch ms). */
export function windowStartOf(ts: number): number {
  return ts - (((ts % TELEMETRY_WINDOW_MS) + TELEMETRY_WINDOW_MS) % TELEMETRY_WINDOW_MS);
}

/** Float sums make avg land a few ulps outside [min, max]; tolerate that, not real errors. */
function withinTolerance(value: number, low: number, high: number): boolean {
  const epsilon = 1e-9 * Math.max(1, Math.abs(low), Math.abs(high));
  return value >= low - epsilon && value <= high + epsilon;
}

export const metricAggregateSchema = z
  .object({ min: z.number(), max: z.number(), sum: z.number(), avg: z.number() })
  .superRefine((m, ctx) => {
    if (m.min > m.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `max (${m.max}) is below min (${m.min})`,
      });
    } else if (!withinTolerance(m.avg, m.min, m.max)) {
      ctx.addIssue({
        code: 'custom',
        path: ['avg'],
        message: `avg (${m.avg}) is outside [min, max]`,
      });
    }
  });

/** A record on `agg.telemetry.1m.v1`; key = deviceId. */
export const telemetryWindowSchema = z
  .object({
    deviceId: deviceIdSchema,
    windowStart: epochMsSchema,
    windowEnd: epochMsSchema,
    /** Readings in the window. */
    count: z.int().min(1, 'a window holds at least one reading'),
    metrics: z
      .record(metricNameSchema, metricAggregateSchema)
      .refine(hasKeys, { message: 'at least one metric is required' })
      .meta({ minProperties: 1 }),
  })
  .superRefine((w, ctx) => {
    if (w.windowStart % TELEMETRY_WINDOW_MS !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['windowStart'],
        message: 'must be aligned to a whole minute (epoch ms divisible by 60000)',
      });
    }
    if (w.windowEnd !== w.windowStart + TELEMETRY_WINDOW_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['windowEnd'],
        message: 'must be windowStart + 60000 (one-minute window, end exclusive)',
      });
    }
  });

export type MetricAggregate = z.output<typeof metricAggregateSchema>;
export type TelemetryWindow = z.output<typeof telemetryWindowSchema>;

/** `schema: agg.telemetry.1m/1`. */
export const telemetryWindowContract = defineContract('agg.telemetry.1m', 1, telemetryWindowSchema);
