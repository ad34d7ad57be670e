import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, register, type Metric } from 'prom-client';
import { DeadLettersRepository } from '../dead-letters/dead-letters.repository';

export const DLQ_METRIC_NAMES = {
  DEAD_LETTERS: 'dlq_dead_letters',
  OLDEST_AGE: 'dlq_oldest_new_dead_letter_age_seconds',
  STORED: 'dlq_dead_letters_stored_total',
  RETRIES: 'dlq_retries_forwarded_total',
  RETRIES_EXHAUSTED: 'dlq_retries_exhausted_total',
  REPLAYED: 'dlq_replayed_records_total',
  REPLAY_REFUSED: 'dlq_replays_refused_total',
} as const;

// Several apps in one test process share the default registry: create each metric once.
function once<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

/** Stores whose counts the gauges read at scrape time; the newest live one answers. */
const sources: DeadLettersRepository[] = [];

/**
 * dlq-handler's metrics on the default registry (served by the platform at `/metrics`).
 * The stock gauges are read from Postgres at scrape time, so they are right whichever
 * instance stored or replayed the rows.
 */
@Injectable()
export class DlqMetrics implements OnModuleDestroy {
  private readonly logger = new Logger(DlqMetrics.name);
  readonly stored = once(
    DLQ_METRIC_NAMES.STORED,
    () =>
      new Counter({
        name: DLQ_METRIC_NAMES.STORED,
        help: 'Dead letters stored, by origin topic',
        labelNames: ['topic'],
      }),
  );
  readonly retries = once(
    DLQ_METRIC_NAMES.RETRIES,
    () =>
      new Counter({
        name: DLQ_METRIC_NAMES.RETRIES,
        help: 'Records sent back from <topic>.retry to their topic, by the attempt they become',
        labelNames: ['topic', 'attempt'],
      }),
  );
  readonly exhausted = once(
    DLQ_METRIC_NAMES.RETRIES_EXHAUSTED,
    () =>
      new Counter({
        name: DLQ_METRIC_NAMES.RETRIES_EXHAUSTED,
        help: 'Retry records past their last attempt, sent to <topic>.dlq',
        labelNames: ['topic'],
      }),
  );
  readonly replayed = once(
    DLQ_METRIC_NAMES.REPLAYED,
    () =>
      new Counter({
        name: DLQ_METRIC_NAMES.REPLAYED,
        help: 'Dead letters replayed, by target topic and mode (single, bulk)',
        labelNames: ['topic', 'mode'],
      }),
  );
  readonly refused = once(
    DLQ_METRIC_NAMES.REPLAY_REFUSED,
    () =>
      new Counter({
        name: DLQ_METRIC_NAMES.REPLAY_REFUSED,
        help: 'Replays refused, by reason (discarded, loop guard, no target)',
        labelNames: ['reason'],
      }),
  );

  constructor(private readonly repository: DeadLettersRepository) {
    sources.push(repository);
    once(
      DLQ_METRIC_NAMES.DEAD_LETTERS,
      () =>
        new Gauge({
          name: DLQ_METRIC_NAMES.DEAD_LETTERS,
          help: 'Dead letters in the store, by origin topic and status',
          labelNames: ['topic', 'status'],
          async collect() {
            const source = sources[sources.length - 1];
            if (!source) return;
            this.reset();
            for (const row of await source.countsByTopicAndStatus().catch(() => [])) {
              this.set({ topic: row.topic, status: row.status }, row.count);
            }
          },
        }),
    );
    once(
      DLQ_METRIC_NAMES.OLDEST_AGE,
      () =>
        new Gauge({
          name: DLQ_METRIC_NAMES.OLDEST_AGE,
          help: 'Age of the oldest dead letter still new (0 when there is none)',
          async collect() {
            const source = sources[sources.length - 1];
            if (!source) return;
            const stats = await source.stats().catch(() => undefined);
            this.set(stats?.oldestNewAgeSeconds ?? 0);
          },
        }),
    );
    this.logger.debug('dlq metrics registered');
  }

  onModuleDestroy(): void {
    const index = sources.indexOf(this.repository);
    if (index >= 0) sources.splice(index, 1);
  }
}
