import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `registry.idempotency_keys`: one row per (endpoint, Idempotency-Key). The primary key is what
 * makes two concurrent requests with one key impossible to both run; `locked_until` lets a key
 * whose first request died be taken over, `expires_at` bounds how long keys are remembered.
 */
export class CreateIdempotencyKeys1732300001000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1732300001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "registry"."idempotency_keys" (
        "scope" text NOT NULL,
        "key" text NOT NULL,
        "fingerprint" text NOT NULL,
        "state" text NOT NULL CHECK ("state" IN ('in_progress', 'completed')),
        "response_status" integer NULL,
        "response_body" jsonb NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "locked_until" timestamptz NULL,
        "expires_at" timestamptz NOT NULL,
        PRIMARY KEY ("scope", "key")
      )`);
    await queryRunner.query(
      'CREATE INDEX "idempotency_keys_expires_at_idx" ON "registry"."idempotency_keys" ("expires_at")',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "registry"."idempotency_keys"');
  }
}
