import type { Kafka, KafkaMessage } from 'kafkajs';
import {
  ExactlyOnceProcessor,
  type MessagingLogger,
  type OutputRecord,
  type OwnedPartition,
  type PartitionContext,
} from '@streamline/messaging';
import { ChangelogCodec } from '../state/changelog-codec';
import type { WindowAggregate } from '../windowing/telemetry-windows';
import { ActivityPartition } from './activity-partition';
import type { PipelineSettings } from './pipeline-settings';
import { StateRestorer, type RestoreReport } from './state-restorer';
import { TelemetryPartition, windowValueOf } from './telemetry-partition';

/** Called with the 1-minute windows a transaction closes, before it commits (alerts). */
export type ClosedWindowsHook = (windows: readonly WindowAggregate[]) => Promise<void>;

export interface EngineOptions {
  kafka: Kafka;
  settings: PipelineSettings;
  groupId: string;
  transactionalIdPrefix: string;
  maxRecordsPerTransaction: number;
  commitIntervalMs: number;
  punctuateIntervalMs: number;
  partitionsConsumedConcurrently: number;
  sessionTimeoutMs: number;
  restoreTimeoutMs: number;
  closedHistory: number;
  onClosedWindows?: ClosedWindowsHook;
  logger: MessagingLogger;
}

/** One input partition's figures for GET /stats. */
export interface PartitionStats {
  topic: string;
  partition: number;
  streamTime: number | null;
  open: number;
  lateCount: number;
  idleForMs: number;
}

type PartitionState = TelemetryPartition | ActivityPartition;
const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * The aggregator's stream processor: ExactlyOnceProcessor over the telemetry and activity
 * topics, one state per owned input partition, restored from the changelog when the partition
 * is assigned (and after a failed transaction) before its first record, closed on the idle clock
 * by punctuation.
 */
export class AggregatorEngine {
  private readonly states = new Map<string, PartitionState>();
  private readonly recent = new Map<string, ReturnType<typeof windowValueOf>[]>();
  private readonly restorer: StateRestorer;
  private readonly processor: ExactlyOnceProcessor;
  private lateTotal = 0;

  constructor(private readonly options: EngineOptions) {
    const { settings } = options;
    this.restorer = new StateRestorer(options.kafka, {
      changelogTopic: settings.topics.changelog,
      groupPrefix: `${options.groupId}.restore`,
      timeoutMs: options.restoreTimeoutMs,
      logger: options.logger,
    });
    this.processor = new ExactlyOnceProcessor({
      kafka: options.kafka,
      groupId: options.groupId,
      inputTopics: [settings.topics.telemetry, settings.topics.activity],
      transactionalIdPrefix: options.transactionalIdPrefix,
      maxRecordsPerTransaction: options.maxRecordsPerTransaction,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
      sessionTimeoutMs: options.sessionTimeoutMs,
      heartbeatIntervalMs: Math.max(1, Math.floor(options.sessionTimeoutMs / 10)),
      punctuateIntervalMs: options.punctuateIntervalMs,
      fetch: {
        maxWaitTimeInMs: options.commitIntervalMs,
        maxBytesPerPartition: 4 * 1024 * 1024,
        maxBytes: 16 * 1024 * 1024,
      },
      transform: (records, context) => this.transform(records, context),
      onPartitionReady: (partition) => this.restore(partition),
      onPartitionReleased: ({ topic, partition }) => this.states.delete(keyOf(topic, partition)),
      punctuate: (partition) => this.punctuate(partition),
      logger: options.logger,
    });
  }

  start(): Promise<void> {
    return this.processor.start();
  }

  stop(): Promise<void> {
    return this.processor.stop();
  }

  get lastRestore(): RestoreReport | undefined {
    return this.restorer.last;
  }

  get telemetryTopic(): string {
    return this.options.settings.topics.telemetry;
  }

  get lateCount(): number {
    return this.lateTotal;
  }

  stats(now = Date.now()): PartitionStats[] {
    return [...this.states.values()]
      .map((state) => ({
        topic:
          state instanceof TelemetryPartition
            ? this.options.settings.topics.telemetry
            : this.options.settings.topics.activity,
        partition: state.partition,
        streamTime: Number.isFinite(state.streamTime) ? state.streamTime : null,
        open: state.size,
        lateCount: state.lateCount,
        idleForMs: now - state.lastRecordAt,
      }))
      .sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      );
  }

  /** Open windows of a device (on this instance) and the last ones it closed. */
  windowsOf(deviceId: string) {
    const open: ReturnType<typeof windowValueOf>[] = [];
    for (const state of this.states.values()) {
      if (state instanceof TelemetryPartition)
        open.push(...state.windows.list(deviceId).map(windowValueOf));
    }
    return { deviceId, open, closed: [...(this.recent.get(deviceId) ?? [])] };
  }

  private stateOf(topic: string, partition: number): PartitionState {
    const state = this.states.get(keyOf(topic, partition));
    // The processor runs onPartitionReady before any transform or punctuate of the partition.
    if (state === undefined) throw new Error(`no state for ${topic}[${partition}]: not restored`);
    return state;
  }

  private async restore({ topic, partition }: OwnedPartition): Promise<void> {
    const { settings } = this.options;
    const codec = new ChangelogCodec(settings.topics.changelog, topic, partition);
    const now = Date.now();
    const state =
      topic === settings.topics.telemetry
        ? new TelemetryPartition(settings, partition, codec, now)
        : new ActivityPartition(settings, partition, codec, now);
    this.states.delete(keyOf(topic, partition));
    await this.restorer.restore({ topic, partition, apply: (entry) => state.apply(entry) });
    state.restored();
    state.lastRecordAt = Date.now();
    this.states.set(keyOf(topic, partition), state);
  }

  private async transform(
    records: readonly KafkaMessage[],
    { topic, partition }: PartitionContext,
  ): Promise<readonly OutputRecord[]> {
    const state = this.stateOf(topic, partition);
    const closed: WindowAggregate[] = [];
    const lateBefore = state.lateCount;
    const outputs =
      state instanceof TelemetryPartition
        ? state.process(records, Date.now(), closed)
        : state.process(records, Date.now());
    this.lateTotal += state.lateCount - lateBefore;
    await this.closed(closed);
    return outputs;
  }

  private async punctuate({ topic, partition }: OwnedPartition): Promise<readonly OutputRecord[]> {
    const state = this.states.get(keyOf(topic, partition));
    if (state === undefined) return [];
    const closed: WindowAggregate[] = [];
    const outputs =
      state instanceof TelemetryPartition
        ? state.punctuate(Date.now(), closed)
        : state.punctuate(Date.now());
    await this.closed(closed);
    return outputs;
  }

  /** Alerts first (they must be out before the transaction commits), then the query history. */
  private async closed(windows: WindowAggregate[]): Promise<void> {
    if (windows.length === 0) return;
    await this.options.onClosedWindows?.(windows);
    for (const window of windows) {
      const history = this.recent.get(window.deviceId) ?? [];
      history.push(windowValueOf(window));
      if (history.length > this.options.closedHistory) history.shift();
      this.recent.set(window.deviceId, history);
    }
  }
}
