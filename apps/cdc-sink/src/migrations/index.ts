import { CreateAnalyticsSchema1732230000000 } from './1732230000000-create-analytics-schema.migration';
import { CreateAnalyticsTables1764460000000 } from './1764460000000-create-analytics-tables.migration';

/** Every migration of the `analytics` schema, oldest first. Listed explicitly so the bundle contains them. */
export const MIGRATIONS = [CreateAnalyticsSchema1732230000000, CreateAnalyticsTables1764460000000];
