import { CreateRegistrySchema1732230000000 } from './1732230000000-create-registry-schema.migration';
import { CreateDevices1732300000000 } from './1732300000000-create-devices.migration';
import { CreateIdempotencyKeys1732300001000 } from './1732300001000-create-idempotency-keys.migration';

/** Every migration of the `registry` schema, oldest first. Listed explicitly so the bundle contains them. */
export const MIGRATIONS = [
  CreateRegistrySchema1732230000000,
  CreateDevices1732300000000,
  CreateIdempotencyKeys1732300001000,
];
