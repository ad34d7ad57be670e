import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dead-letter store: one row per `.dlq` record (unique on its topic, partition, offset),
 * the audit trail of replays and discards, and the bulk replays with their per-row progress.
 */
export class CreateDeadLetters1732400000000 implements MigrationInterface {
  name = 'CreateDeadLetters1732400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dlq.dead_letters (
        id bigserial PRIMARY KEY,
        dlq_topic text NOT NULL,
        dlq_partition integer NOT NULL,
        dlq_offset bigint NOT NULL,
        origin_topic text NOT NULL,
        origin_partition integer,
        origin_offset bigint,
        origin_timestamp timestamptz,
        key bytea,
        value bytea,
        headers jsonb NOT NULL,
        service text,
        error_class text,
        error_message text,
        attempts integer,
        first_failed_at timestamptz NOT NULL,
        last_failed_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'replayed', 'discarded')),
        replay_count integer NOT NULL DEFAULT 0,
        replay_of bigint,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dead_letters_record_unique UNIQUE (dlq_topic, dlq_partition, dlq_offset)
      )`);
    for (const column of ['origin_topic', 'status', 'error_class', 'service']) {
      await queryRunner.query(
        `CREATE INDEX dead_letters_${column}_idx ON dlq.dead_letters (${column}, id)`,
      );
    }
    await queryRunner.query(
      `CREATE INDEX dead_letters_last_failed_idx ON dlq.dead_letters (last_failed_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE dlq.dead_letter_actions (
        id bigserial PRIMARY KEY,
        dead_letter_id bigint NOT NULL REFERENCES dlq.dead_letters (id),
        action text NOT NULL CHECK (action IN ('replayed', 'discarded')),
        replay_id uuid,
        target_topic text,
        target_partition integer,
        target_offset bigint,
        corrected_value bytea,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX dead_letter_actions_letter_idx ON dlq.dead_letter_actions (dead_letter_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE dlq.replays (
        id uuid PRIMARY KEY,
        filter jsonb NOT NULL,
        target_topic text,
        max_dead_letter_id bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
        matched integer NOT NULL,
        replayed integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        in_doubt jsonb,
        error text,
        runs integer NOT NULL DEFAULT 0,
        worker text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE dlq.replay_items (
        replay_id uuid NOT NULL REFERENCES dlq.replays (id),
        dead_letter_id bigint NOT NULL REFERENCES dlq.dead_letters (id),
        state text NOT NULL CHECK (state IN ('claimed', 'sent', 'skipped')),
        target_topic text,
        target_partition integer,
        target_offset bigint,
        PRIMARY KEY (replay_id, dead_letter_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE dlq.replay_items');
    await queryRunner.query('DROP TABLE dlq.replays');
    await queryRunner.query('DROP TABLE dlq.dead_letter_actions');
    await queryRunner.query('DROP TABLE dlq.dead_letters');
  }
}
