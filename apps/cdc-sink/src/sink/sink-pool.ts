import { Logger } from '@nestjs/common';
import { Pool } from 'pg';

/** Injection token of the sink's own Postgres pool (one connection per partition written at once). */
export const SINK_POOL = Symbol('SINK_POOL');

/**
 * A pg pool for the sink's transactions, apart from TypeORM's: the hot path needs plain
 * `BEGIN … COMMIT` on one connection and COPY, which TypeORM does not expose.
 */
export function createSinkPool(url: string, connections: number): Pool {
  const pool = new Pool({
    connectionString: url,
    max: connections,
    connectionTimeoutMillis: 2_000,
  });
  const logger = new Logger('sink-pool');
  // An idle connection that Postgres closes (a restart) is reported here; without a listener
  // pg would crash the process. The next transaction simply takes a new connection.
  pool.on('error', (error) => logger.warn(`idle postgres connection lost: ${error.message}`));
  return pool;
}
