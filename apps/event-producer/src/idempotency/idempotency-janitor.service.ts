import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from './idempotency.store';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** Deletes expired idempotency keys every ten minutes, so the table holds about a day of keys. */
@Injectable()
export class IdempotencyJanitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyJanitor.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One purge; a failure (Postgres down) is logged and the next round tries again. */
  async purge(): Promise<void> {
    try {
      const deleted = await this.store.purgeExpired();
      if (deleted > 0) this.logger.log(`purged ${deleted} expired idempotency keys`);
    } catch (error) {
      this.logger.warn(`purging expired idempotency keys failed: ${String(error)}`);
    }
  }
}
