import { RequestValidationError } from '@streamline/platform';

/** `all`: answer once Kafka acknowledged (acks=all). `none`: answer at once, fire and forget. */
export type DeliveryMode = 'all' | 'none';

export const DELIVERY_MODES: readonly DeliveryMode[] = ['all', 'none'];

/** Reads the `ack` query parameter (default `all`); anything else is a 400 naming it. */
export function parseDeliveryMode(value: unknown): DeliveryMode {
  if (value === undefined || value === '') return 'all';
  if (typeof value === 'string' && (DELIVERY_MODES as readonly string[]).includes(value)) {
    return value as DeliveryMode;
  }
  throw new RequestValidationError([
    {
      path: 'query.ack',
      reason: `must be one of ${DELIVERY_MODES.join(', ')}`,
      code: 'invalid_value',
    },
  ]);
}
