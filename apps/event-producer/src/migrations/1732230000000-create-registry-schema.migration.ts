import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the `registry` schema that event-producer owns; its tables come in later migrations. */
export class CreateRegistrySchema1732230000000 implements MigrationInterface {
  name = 'CreateRegistrySchema1732230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS "registry"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA IF EXISTS "registry" CASCADE');
  }
}
