import { withDatabaseErrors } from '@streamline/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type {
  ClaimResult,
  IdempotencyStore,
  IdempotentRequest,
  StoredReply,
} from './idempotency.store';

const TABLE = '"registry"."idempotency_keys"';

/**
 * Claims with one INSERT … ON CONFLICT: the primary key serialises concurrent requests with one
 * key (the second waits for the first's insert, then sees its row). The DO UPDATE branch only
 * fires for a row that may be taken over: expired, or an unfinished claim of the same request
 * whose lease ran out.
 */
const CLAIM_SQL = `
  INSERT INTO ${TABLE} AS k (scope, key, fingerprint, state, expires_at, locked_until)
  VALUES ($1, $2, $3, 'in_progress', now() + $4 * interval '1 millisecond', now() + $5 * interval '1 millisecond')
  ON CONFLICT (scope, key) DO UPDATE
    SET fingerprint = EXCLUDED.fingerprint, state = 'in_progress', response_status = NULL,
        response_body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at,
        locked_until = EXCLUDED.locked_until
    WHERE k.expires_at <= now()
       OR (k.state = 'in_progress' AND k.locked_until <= now() AND k.fingerprint = EXCLUDED.fingerprint)
  RETURNING 1`;

const READ_SQL = `
  SELECT fingerprint, state, response_status, response_body FROM ${TABLE}
  WHERE scope = $1 AND key = $2 AND expires_at > now()`;

interface KeyRow {
  fingerprint: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: unknown;
}

/** Idempotency keys in Postgres `registry.idempotency_keys`. */
@Injectable()
export class PostgresIdempotencyStore implements IdempotencyStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  claim(request: IdempotentRequest, ttlMs: number, leaseMs: number): Promise<ClaimResult> {
    return withDatabaseErrors(async () => {
      // The row may expire between the two statements: then claiming again succeeds.
      for (let attempt = 0; attempt < 3; attempt++) {
        const claimed: unknown[] = await this.dataSource.query(CLAIM_SQL, [
          request.scope,
          request.key,
          request.fingerprint,
          ttlMs,
          leaseMs,
        ]);
        if (claimed.length > 0) return { kind: 'claimed' };
        const rows: KeyRow[] = await this.dataSource.query(READ_SQL, [request.scope, request.key]);
        const row = rows[0];
        if (row === undefined) continue;
        if (row.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
        if (row.state === 'in_progress' || row.response_status === null)
          return { kind: 'in-progress' };
        return {
          kind: 'completed',
          reply: { status: row.response_status, body: row.response_body },
        };
      }
      return { kind: 'in-progress' };
    });
  }

  complete(request: IdempotentRequest, reply: StoredReply): Promise<void> {
    return withDatabaseErrors(async () => {
      await this.dataSource.query(
        `UPDATE ${TABLE} SET state = 'completed', response_status = $4, response_body = $5::jsonb,
           locked_until = NULL
         WHERE scope = $1 AND key = $2 AND fingerprint = $3`,
        [request.scope, request.key, request.fingerprint, reply.status, JSON.stringify(reply.body)],
      );
    });
  }

  release(request: IdempotentRequest): Promise<void> {
    return withDatabaseErrors(async () => {
      await this.dataSource.query(
        `DELETE FROM ${TABLE} WHERE scope = $1 AND key = $2 AND fingerprint = $3 AND state = 'in_progress'`,
        [request.scope, request.key, request.fingerprint],
      );
    });
  }

  purgeExpired(): Promise<number> {
    return withDatabaseErrors(async () => {
      const result: [unknown[], number] = await this.dataSource.query(
        `DELETE FROM ${TABLE} WHERE expires_at <= now()`,
      );
      return result[1];
    });
  }
}
