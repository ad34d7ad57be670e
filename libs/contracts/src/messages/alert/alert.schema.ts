import { z } from 'zod';
import { deviceIdSchema, metricNameSchema } from '../../common/identifiers';
import { epochMsSchema } from '../../common/timestamp';
import { defineContract } from '../../contract';

/** The rules the aggregator evaluates against a device's thresholds. */
export const ALERT_RULES = {
  THRESHOLD_MAX: 'threshold.max',
  THRESHOLD_MIN: 'threshold.min',
} as const;

/** Alert ids are the JetStream `Nats-Msg-Id`: printable, no whitespace, bounded. */
export const ALERT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,512}$/;

/** An alert published on `alerts.telemetry.<deviceId>` (stream ALERTS). */
export const alertSchema = z
  .object({
    /** Deterministic per (device, rule, metric, window) so that a re-published alert is dropped. */
    alertId: z.string().regex(ALERT_ID_PATTERN, {
      message: 'alertId must be 1-512 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-"',
    }),
    deviceId: deviceIdSchema,
    /** Open set; the known values are in ALERT_RULES. */
    rule: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'rule must be a short identifier' }),
    metric: metricNameSchema,
    /** The observed value that broke the rule. */
    value: z.number(),
    threshold: z.number(),
    windowStart: epochMsSchema,
    windowEnd: epochMsSchema,
  })
  .superRefine((a, ctx) => {
    if (a.windowEnd <= a.windowStart) {
      ctx.addIssue({ code: 'custom', path: ['windowEnd'], message: 'must be after windowStart' });
    }
  });

export type Alert = z.output<typeof alertSchema>;

/** `schema: alerts.telemetry/1`. */
export const alertContract = defineContract('alerts.telemetry', 1, alertSchema);

/**
 * The deterministic alert id: the same breach in the same window always gets the same id, so a
 * redelivered or recomputed alert is dropped by JetStream's duplicate window.
 */
export function alertIdOf(a: Pick<Alert, 'deviceId' | 'rule' | 'metric' | 'windowStart'>): string {
  return `${a.deviceId}:${a.rule}:${a.metric}:${a.windowStart}`;
}
