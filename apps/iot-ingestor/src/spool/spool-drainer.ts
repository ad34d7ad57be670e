import { Logger } from '@nestjs/common';
import {
  sendUntilAcknowledged,
  sleep,
  type BackoffPolicy,
  type RawRecord,
} from '@streamline/messaging';
import { IngestMetrics } from '../common/ingest.metrics';
import { produceRetryReporter } from '../common/produce-retry-reporter';
import type { RecordSender } from '../telemetry/ingest-telemetry.use-case';
import { deadLetterRecord } from '../telemetry/telemetry-dead-letter';
import { TELEMETRY_FAULTS } from '../telemetry/telemetry-faults';
import type { TelemetrySpool, SpoolEntry } from './telemetry-spool';

export interface SpoolDrainerSettings {
  service: string;
  dlqTopic: string;
  maxDlqValueBytes: number;
  /** Records handed to the producer at once. */
  batchSize: number;
  backoff: BackoffPolicy;
}

/** When idle, the drainer looks at the spool this often (an append wakes it earlier). */
const IDLE_POLL_MS = 200;

/**
 * Moves spooled records to Kafka, oldest first: a batch is sent (acks=all, idempotent
 * producer) until every record is acknowledged, then removed from the spool; a record Kafka
 * refuses for good is dead-lettered instead (its value, `dlq.origin.topic = mqtt:<topic>`). One
 * batch at a time, in spool order, so a device's readings reach its partition in arrival order.
 * `kafkaReachable` tells the status endpoint whether the last attempt got through.
 */
export class SpoolDrainer {
  private readonly logger = new Logger(SpoolDrainer.name);
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly reportRetry: ReturnType<typeof produceRetryReporter>;
  private reachable = true;
  private lastFailure: string | undefined;

  constructor(
    private readonly spool: TelemetrySpool,
    private readonly sender: RecordSender,
    private readonly metrics: IngestMetrics,
    private readonly settings: SpoolDrainerSettings,
  ) {
    spool.onAppended(() => this.wake?.());
    this.reportRetry = produceRetryReporter(
      this.logger,
      metrics,
      'Kafka did not acknowledge; spooled records wait and are retried',
    );
  }

  /** Whether Kafka acknowledged the last attempt (false while it is away). */
  get kafkaReachable(): boolean {
    return this.reachable;
  }

  get kafkaFailure(): string | undefined {
    return this.lastFailure;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops after the batch in flight (its records stay spooled unless acknowledged). */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const batch = this.spool.read(0, this.settings.batchSize);
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, IDLE_POLL_MS);
        });
        this.wake = undefined;
        continue;
      }
      try {
        await this.drain(batch, signal);
      } catch (error) {
        // The spool itself failed (disk): nothing was removed; try again shortly.
        this.logger.error({ err: error }, 'spool drain failed; retrying');
        await sleep(1_000, signal);
      }
    }
  }

  private async drain(batch: SpoolEntry[], signal: AbortSignal): Promise<void> {
    const startedAt = Date.now();
    const result = await sendUntilAcknowledged(
      (record: RawRecord) => this.sender.send(record),
      batch.map((entry) => toRawRecord(entry)),
      {
        backoff: this.settings.backoff,
        signal,
        // A telemetry record Kafka refuses for good goes to the DLQ; a dead letter never gives up.
        canGiveBack: (index) => batch[index]?.record.topic !== this.settings.dlqTopic,
        onRetry: (retry) => {
          this.reachable = false;
          this.lastFailure = `${retry.failure.code}: ${retry.failure.message}`;
          this.reportRetry(retry);
        },
      },
    );
    if (result.aborted) return;
    if (result.refused.length > 0) {
      const letters = result.refused.map(({ index, failure }) => {
        const { record } = batch[index] as SpoolEntry;
        return deadLetterRecord(
          {
            kind: TELEMETRY_FAULTS.KAFKA_REJECTED,
            message: `${failure.code}: ${failure.message}`,
            value: record.value,
          },
          {
            dlqTopic: this.settings.dlqTopic,
            mqttTopic: record.mqttTopic,
            key: record.key,
            receivedAt: record.receivedAt,
            service: this.settings.service,
            maxValueBytes: this.settings.maxDlqValueBytes,
          },
        );
      });
      const written = await sendUntilAcknowledged((r: RawRecord) => this.sender.send(r), letters, {
        backoff: this.settings.backoff,
        signal,
      });
      if (written.aborted) return;
      for (const _ of letters) this.metrics.invalidInput('telemetry', 'kafka_rejected');
    }
    this.reachable = true;
    this.lastFailure = undefined;
    await this.spool.remove(batch.map((entry) => entry.id));
    const ackedAt = Date.now();
    let readings = 0;
    batch.forEach(({ record }, i) => {
      if (record.eventTs === undefined || !result.acknowledged.has(i)) return;
      readings += 1;
      this.metrics.observeLag((ackedAt - record.eventTs) / 1000);
    });
    this.metrics.readingsProduced(readings);
    this.metrics.observeProduce((ackedAt - startedAt) / 1000);
  }
}

function toRawRecord({ record }: SpoolEntry): RawRecord {
  return { topic: record.topic, key: record.key, value: record.value, headers: record.headers };
}
