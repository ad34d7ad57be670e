import { z } from 'zod';
import { deviceIdSchema, hasKeys, metricNameSchema } from '../../common/identifiers';
import { reportFindings, type Finding } from '../../common/refinements';
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

/** What is wrong with an aggregate beyond its shape, or undefined. */
function aggregateFinding(m: { min: number; max: number; avg: number }): Finding | undefined {
  if (m.min > m.max) return { path: 'max', message: `max (${m.max}) is below min (${m.min})` };
  if (!withinTolerance(m.avg, m.min, m.max)) {
    return { path: 'avg', message: `avg (${m.avg}) is outside [min, max]` };
  }
  return undefined;
}

export const metricAggregateSchema = z
  .object({
    /** Readings that carried this metric (the aggregator always sets it; older records lack it). */
    count: z.int().min(1).optional(),
    min: z.number(),
    max: z.number(),
    sum: z.number(),
    avg: z.number(),
  })
  .superRefine((m, ctx) => reportFindings(ctx, [aggregateFinding(m)]));

/** `<deviceId>:<windowStart>:<size ms>`: the same window always gets the same id, so every downstream write is idempotent. */
export function windowIdOf(deviceId: string, windowStart: number, sizeMs: number): string {
  return `${deviceId}:${windowStart}:${sizeMs}`;
}

/**
 * A record on `agg.telemetry.1m.v1` (tumbling) or `agg.telemetry.5m.v1` (hopping); key = deviceId.
 * Sizes and advance are the aggregator's configuration, so the contract checks the shape and the
 * id, not one size: the topic names the default (1 minute; 5 minutes advancing by 1).
 */
export const telemetryWindowSchema = z
  .object({
    windowId: z.string().min(1).max(600),
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
  .superRefine((w, ctx) => reportFindings(ctx, [windowFinding(w)]));

/** What is wrong with a window's bounds and id, or undefined. */
function windowFinding(w: {
  windowId: string;
  deviceId: string;
  windowStart: number;
  windowEnd: number;
}): Finding | undefined {
  if (w.windowEnd <= w.windowStart)
    return { path: 'windowEnd', message: 'must be after windowStart' };
  const expected = windowIdOf(w.deviceId, w.windowStart, w.windowEnd - w.windowStart);
  if (w.windowId === expected) return undefined;
  return {
    path: 'windowId',
    message: `must be "<deviceId>:<windowStart>:<size ms>" (${expected})`,
  };
}

/** Every refinement of a window (its own and its aggregates'), for the compiled check. */
function windowRefinementsHold(w: z.output<typeof telemetryWindowSchema>): boolean {
  if (windowFinding(w) !== undefined) return false;
  for (const name in w.metrics) {
    if (aggregateFinding(w.metrics[name] as MetricAggregate) !== undefined) return false;
  }
  return true;
}

export type MetricAggregate = z.output<typeof metricAggregateSchema>;
export type TelemetryWindow = z.output<typeof telemetryWindowSchema>;

/** `schema: agg.telemetry.1m/1`: tumbling windows (default one minute). */
export const telemetryWindowContract = defineContract(
  'agg.telemetry.1m',
  1,
  telemetryWindowSchema,
  {
    exactJsonSchema: true,
    refinementsHold: windowRefinementsHold,
  },
);

/** `schema: agg.telemetry.5m/1`: hopping windows (default five minutes advancing by one). */
export const telemetryWindow5mContract = defineContract(
  'agg.telemetry.5m',
  1,
  telemetryWindowSchema,
  { exactJsonSchema: true, refinementsHold: windowRefinementsHold },
);
