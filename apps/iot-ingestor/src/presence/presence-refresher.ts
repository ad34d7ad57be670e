import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { IngestMetrics } from '../common/ingest.metrics';
import { PRESENCE_STORE, type PresenceStore } from './presence.store';

/** Told that a device was heard from; must never make the caller wait. */
export interface PresenceToucher {
  touch(deviceId: string, seenAt: number): void;
}

export const PRESENCE_TOUCHER = Symbol('PRESENCE_TOUCHER');
export const PRESENCE_REFRESH_OPTIONS = Symbol('PRESENCE_REFRESH_OPTIONS');

export interface PresenceRefreshOptions {
  /** Each device's `lastSeen` is written at most once per interval. */
  intervalMs: number;
  /** KV writes in parallel during a flush. */
  concurrency: number;
}

/**
 * Keeps KV writes off the Kafka path: telemetry only notes the latest `seenAt` per device in
 * memory, and a flush every `intervalMs` writes each noted device once. A failed write is
 * counted and dropped (the next reading notes the device again); presence is a latest-value
 * view, not a log.
 */
@Injectable()
export class PresenceRefresher implements PresenceToucher, OnModuleDestroy {
  private readonly logger = new Logger(PresenceRefresher.name);
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    @Inject(PRESENCE_STORE) private readonly store: PresenceStore,
    private readonly metrics: IngestMetrics,
    @Inject(PRESENCE_REFRESH_OPTIONS) private readonly options: PresenceRefreshOptions,
  ) {}

  touch(deviceId: string, seenAt: number): void {
    const known = this.pending.get(deviceId);
    if (known === undefined || seenAt > known) this.pending.set(deviceId, seenAt);
    this.arm();
  }

  /** Writes every noted device now; resolves when the writes are done. */
  async flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending = new Map();
    let failed = 0;
    let lastError: unknown;
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const [deviceId, seenAt] = batch[next++] as [string, number];
        try {
          await this.store.touch(deviceId, seenAt);
        } catch (error) {
          failed += 1;
          lastError = error;
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.options.concurrency, batch.length) }, worker),
    );
    this.metrics.presenceWritten('refresh', 'ok', batch.length - failed);
    this.metrics.presenceWritten('refresh', 'error', failed);
    if (failed > 0) {
      this.logger.warn(
        { failed, devices: batch.length, err: lastError },
        'presence refresh failed',
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.pending.size > 0) await this.flush();
  }

  private arm(): void {
    if (this.timer !== undefined || this.flushing !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.pending.size > 0) this.arm();
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }
}
