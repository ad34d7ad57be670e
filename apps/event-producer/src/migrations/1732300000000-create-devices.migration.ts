import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `registry.devices`, ready for Debezium: a primary key, `updated_at` kept by a trigger (whatever
 * client writes the row), and REPLICA IDENTITY FULL so updates and deletes carry the whole old
 * row in the change event, not only its key.
 */
export class CreateDevices1732300000000 implements MigrationInterface {
  name = 'CreateDevices1732300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "registry"."devices" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^[A-Za-z0-9_-]{1,128}$'),
        "name" text NOT NULL,
        "type" text NOT NULL,
        "location" text NULL,
        "thresholds" jsonb NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('ALTER TABLE "registry"."devices" REPLICA IDENTITY FULL');
    await queryRunner.query(`
      CREATE FUNCTION "registry"."touch_updated_at"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.updated_at := now();
        NEW.created_at := OLD.created_at;
        RETURN NEW;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "devices_touch_updated_at" BEFORE UPDATE ON "registry"."devices"
      FOR EACH ROW EXECUTE FUNCTION "registry"."touch_updated_at"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "registry"."devices"');
    await queryRunner.query('DROP FUNCTION IF EXISTS "registry"."touch_updated_at"()');
  }
}
