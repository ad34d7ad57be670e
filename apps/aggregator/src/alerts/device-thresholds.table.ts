import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import {
  deviceChangeContract,
  deviceIdOfChange,
  formatIssues,
  parseCdcValue,
  unwrapConnectJson,
  type Thresholds,
} from '@streamline/contracts';
import type { MessagingLogger } from '@streamline/messaging';

/** The device id of a Debezium key (`{"id": …}`, with or without the Connect wrapper). */
function deviceIdOfKey(key: Buffer | null): string | undefined {
  if (key === null) return undefined;
  try {
    const value = unwrapConnectJson(JSON.parse(key.toString())) as { id?: unknown } | null;
    return typeof value?.id === 'string' ? value.id : undefined;
  } catch {
    // A key that is not JSON names no device; the value (if any) still may.
    return undefined;
  }
}

/**
 * Device thresholds as a table keyed by device id, fed by the registry's change stream: creates,
 * updates and snapshot reads set a row, deletes and tombstones remove it. Each instance reads the
 * whole (compacted, 1-partition) topic from the beginning with a group of its own, outside the
 * exactly-once group, so a restart restores the table; `ready` resolves once it has read up to
 * the end the topic had at start.
 */
export class DeviceThresholdTable {
  private readonly rows = new Map<string, Thresholds>();
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private readonly groupId: string;
  private markReady: () => void = () => undefined;
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));
  /** Change records that could not be applied (bad JSON, contract violation): logged and counted. */
  rejected = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    groupPrefix: string,
    private readonly logger: MessagingLogger,
  ) {
    this.groupId = `${groupPrefix}.devices.${randomUUID()}`;
  }

  get size(): number {
    return this.rows.size;
  }

  thresholdsOf(deviceId: string): Thresholds | undefined {
    return this.rows.get(deviceId);
  }

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const [end] = await this.admin.fetchTopicOffsets(this.topic);
    const last =
      end === undefined || BigInt(end.high) <= BigInt(end.low) ? undefined : BigInt(end.high) - 1n;
    if (last === undefined) this.markReady();
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (last !== undefined && payload.lastOffset !== null && BigInt(payload.lastOffset) >= last)
        this.markReady();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) this.apply(message);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.admin?.deleteGroups([this.groupId]).catch((error: unknown) => {
      this.logger.warn({ err: error, groupId: this.groupId }, 'device table group not deleted');
    });
    await this.admin?.disconnect();
  }

  /** Applies one change record (exposed for tests). */
  apply(message: Pick<KafkaMessage, 'key' | 'value' | 'offset'>): void {
    const parsed = parseCdcValue(deviceChangeContract, message.value);
    if (!parsed.ok) {
      this.rejected += 1;
      this.logger.warn(
        { offset: message.offset, issues: formatIssues(parsed.issues) },
        'device change not applied',
      );
      return;
    }
    const change = parsed.value;
    if (change === null) {
      const id = deviceIdOfKey(message.key);
      if (id !== undefined) this.rows.delete(id);
      return;
    }
    const id = deviceIdOfChange(change);
    if (id === undefined) return;
    if (change.op === 'd' || change.after === null) this.rows.delete(id);
    else if (change.after.thresholds) this.rows.set(id, change.after.thresholds);
    else this.rows.delete(id);
  }
}
