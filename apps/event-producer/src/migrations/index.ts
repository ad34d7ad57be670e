import { CreateRegistrySchema1732230000000 } from './1732230000000-create-registry-schema.migration';

/** Every migration of the `registry` schema, oldest first. Listed explicitly so the bundle contains them. */
export const MIGRATIONS = [CreateRegistrySchema1732230000000];
