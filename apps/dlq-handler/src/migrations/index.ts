import { CreateDlqSchema1732230000000 } from './1732230000000-create-dlq-schema.migration';

/** Every migration of the `dlq` schema, oldest first. Listed explicitly so the bundle contains them. */
export const MIGRATIONS = [CreateDlqSchema1732230000000];
