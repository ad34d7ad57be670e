import { CreateDlqSchema1732230000000 } from './1732230000000-create-dlq-schema.migration';
import { CreateDeadLetters1732400000000 } from './1732400000000-create-dead-letters.migration';

/** Every migration of the `dlq` schema, oldest first. Listed explicitly so the bundle contains them. */
export const MIGRATIONS = [CreateDlqSchema1732230000000, CreateDeadLetters1732400000000];
