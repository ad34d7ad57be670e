import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the `analytics` schema that cdc-sink owns; its tables come in later migrations. */
export class CreateAnalyticsSchema1732230000000 implements MigrationInterface {
  name = 'CreateAnalyticsSchema1732230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS "analytics"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA IF EXISTS "analytics" CASCADE');
  }
}
