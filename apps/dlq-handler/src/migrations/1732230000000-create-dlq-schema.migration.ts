import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the `dlq` schema that dlq-handler owns; its tables come in later migrations. */
export class CreateDlqSchema1732230000000 implements MigrationInterface {
  name = 'CreateDlqSchema1732230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS "dlq"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA IF EXISTS "dlq" CASCADE');
  }
}
