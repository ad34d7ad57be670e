import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables of ARCHITECTURE's `analytics` schema. Each has `extra jsonb`: fields a producer added
 * that this version does not map are kept there instead of being dropped. `device_tombstones`
 * remembers the source position of every delete, so that a replayed older create cannot bring a
 * deleted device back while `analytics.devices` itself holds only live devices.
 */
export class CreateAnalyticsTables1764460000000 implements MigrationInterface {
  name = 'CreateAnalyticsTables1764460000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "analytics"."devices" (
        "id" text PRIMARY KEY,
        "name" text NOT NULL,
        "type" text NOT NULL,
        "location" text NULL,
        "thresholds" jsonb NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        "source_lsn" bigint NOT NULL,
        "extra" jsonb NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE "analytics"."device_tombstones" (
        "id" text PRIMARY KEY,
        "source_lsn" bigint NOT NULL,
        "deleted_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "analytics"."telemetry_1m" (
        "device_id" text NOT NULL,
        "window_start" timestamptz NOT NULL,
        "window_end" timestamptz NOT NULL,
        "count" integer NOT NULL,
        "metrics" jsonb NOT NULL,
        "window_id" text NOT NULL,
        "extra" jsonb NULL,
        CONSTRAINT "telemetry_1m_device_window" UNIQUE ("device_id", "window_start")
      )`);
    await queryRunner.query(`
      CREATE TABLE "analytics"."user_sessions" (
        "session_id" text PRIMARY KEY,
        "user_id" text NOT NULL,
        "session_start" timestamptz NOT NULL,
        "session_end" timestamptz NOT NULL,
        "event_count" integer NOT NULL,
        "types" jsonb NOT NULL,
        "extra" jsonb NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX "user_sessions_user_start" ON "analytics"."user_sessions" ("user_id", "session_start")',
    );
    await queryRunner.query(`
      CREATE TABLE "analytics"."alerts" (
        "alert_id" text PRIMARY KEY,
        "device_id" text NOT NULL,
        "rule" text NOT NULL,
        "metric" text NOT NULL,
        "value" double precision NOT NULL,
        "threshold" double precision NOT NULL,
        "window_start" timestamptz NOT NULL,
        "window_end" timestamptz NOT NULL,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        "extra" jsonb NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE "analytics"."kafka_offsets" (
        "consumer_group" text NOT NULL,
        "topic" text NOT NULL,
        "partition" integer NOT NULL,
        "next_offset" bigint NOT NULL,
        PRIMARY KEY ("consumer_group", "topic", "partition")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'kafka_offsets',
      'alerts',
      'user_sessions',
      'telemetry_1m',
      'device_tombstones',
      'devices',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS "analytics"."${table}"`);
    }
  }
}
