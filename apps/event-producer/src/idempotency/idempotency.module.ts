import { Module } from '@nestjs/common';
import { IdempotencyJanitor } from './idempotency-janitor.service';
import { IdempotencyService } from './idempotency.service';
import { IDEMPOTENCY_STORE } from './idempotency.store';
import { PostgresIdempotencyStore } from './postgres-idempotency.store';

/** Idempotency-Key handling backed by Postgres. */
@Module({
  providers: [
    IdempotencyService,
    IdempotencyJanitor,
    { provide: IDEMPOTENCY_STORE, useClass: PostgresIdempotencyStore },
  ],
  exports: [IdempotencyService],
})
export class IdempotencyModule {}
