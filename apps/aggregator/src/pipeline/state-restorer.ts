import type { Kafka } from 'kafkajs';
import {
  readPartitionsToEnd,
  type MessagingLogger,
  type OwnedPartition,
} from '@streamline/messaging';
import { decodeChangelog, type ChangelogEntry } from '../state/changelog-codec';

/** A partition's state being rebuilt: takes the changelog entries of its input topic. */
export interface RestoreTarget extends OwnedPartition {
  apply(entry: ChangelogEntry): void;
}

/** The last restore, for GET /stats and the metrics. */
export interface RestoreReport {
  at: number;
  durationMs: number;
  records: number;
  partitions: string[];
}

/**
 * Rebuilds partition state from the changelog. Requests that arrive close together (a rebalance
 * hands several partitions over at once) share one read of the changelog, so a restart costs
 * one reader group, not one per partition.
 */
export class StateRestorer {
  last: RestoreReport | undefined;
  private pending: Array<{ target: RestoreTarget; done: () => void; fail: (e: unknown) => void }> =
    [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: {
      changelogTopic: string;
      groupPrefix: string;
      timeoutMs: number;
      coalesceMs?: number;
      logger: MessagingLogger;
    },
  ) {}

  restore(target: RestoreTarget): Promise<void> {
    return new Promise<void>((done, fail) => {
      this.pending.push({ target, done, fail });
      this.timer ??= setTimeout(() => void this.run(), this.options.coalesceMs ?? 50);
    });
  }

  private async run(): Promise<void> {
    const requests = this.pending;
    this.pending = [];
    this.timer = undefined;
    const byPartition = new Map<number, RestoreTarget[]>();
    for (const { target } of requests) {
      byPartition.set(target.partition, [...(byPartition.get(target.partition) ?? []), target]);
    }
    try {
      const result = await readPartitionsToEnd({
        kafka: this.kafka,
        topic: this.options.changelogTopic,
        partitions: [...byPartition.keys()],
        groupPrefix: this.options.groupPrefix,
        timeoutMs: this.options.timeoutMs,
        logger: this.options.logger,
        onRecords: (partition, records) => {
          for (const target of byPartition.get(partition) ?? []) {
            for (const record of records) {
              const entry = decodeChangelog(target.topic, record);
              if (entry !== undefined) target.apply(entry);
            }
          }
        },
      });
      const partitions = requests.map(({ target }) => `${target.topic}[${target.partition}]`);
      this.last = {
        at: Date.now(),
        durationMs: result.durationMs,
        records: result.records,
        partitions,
      };
      this.options.logger.info(this.last, 'state restored from the changelog');
      for (const request of requests) request.done();
    } catch (error) {
      for (const request of requests) request.fail(error);
    }
  }
}
