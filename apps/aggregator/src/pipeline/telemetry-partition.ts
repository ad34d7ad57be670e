import type { KafkaMessage } from 'kafkajs';
import {
  LATE_REASONS,
  lateReadingContract,
  telemetryContract,
  telemetryWindow5mContract,
  telemetryWindowContract,
  windowIdOf,
  type TelemetryRecord,
  type TelemetryWindow,
} from '@streamline/contracts';
import type { OutputRecord } from '@streamline/messaging';
import type { ChangelogCodec, ChangelogEntry } from '../state/changelog-codec';
import { toAggregates } from '../windowing/metric-accumulator';
import { TelemetryWindows, type WindowAggregate } from '../windowing/telemetry-windows';
import { InputPartition } from './input-partition';
import type { PipelineSettings } from './pipeline-settings';

/** The published form of a window. */
export function windowValueOf(window: WindowAggregate): TelemetryWindow {
  return {
    windowId: windowIdOf(window.deviceId, window.start, window.end - window.start),
    deviceId: window.deviceId,
    windowStart: window.start,
    windowEnd: window.end,
    count: window.count,
    metrics: toAggregates(window.metrics),
  };
}

/**
 * The telemetry state of one input partition and what its records turn into: windows that
 * close, late readings, dead letters, and the changelog writes (the latest state of each changed
 * window once per transaction, a tombstone for each closed one, the stream time).
 */
export class TelemetryPartition extends InputPartition {
  readonly windows: TelemetryWindows;

  constructor(settings: PipelineSettings, partition: number, codec: ChangelogCodec, now: number) {
    super(settings, partition, codec, settings.topics.telemetry, now);
    this.windows = new TelemetryWindows(settings.windows);
  }

  get streamTime(): number {
    return this.windows.streamTime;
  }

  get size(): number {
    return this.windows.size;
  }

  protected advanceTo(streamTime: number): void {
    this.windows.advanceTo(streamTime);
  }

  protected applyState(entry: ChangelogEntry): void {
    if (entry.type !== 'pane') return;
    if (entry.pane === null) this.windows.forget(entry.deviceId, entry.start);
    else this.windows.restore(entry.pane);
  }

  override restored(): void {
    this.windows.finishRestore();
  }

  /** Turns a run of input records into outputs; closed 1-minute windows go to `closed`. */
  process(
    records: readonly KafkaMessage[],
    now: number,
    closed: WindowAggregate[],
  ): OutputRecord[] {
    const outputs: OutputRecord[] = [];
    for (const message of records) {
      const reading = this.decode(telemetryContract, message, now, outputs);
      if (reading === undefined) continue;
      const missed = this.windows.add(reading.deviceId, reading.ts, reading.metrics);
      if (missed !== undefined) {
        this.lateCount += 1;
        for (const window of missed)
          outputs.push(this.lateRecord(reading, window.start, window.end));
      }
    }
    if (records.length > 0) this.lastRecordAt = now;
    this.drain(outputs, closed);
    return outputs;
  }

  /** The idle clock: with no record for idleMs, stream time follows the wall clock minus grace. */
  punctuate(now: number, closed: WindowAggregate[]): OutputRecord[] {
    if (!this.idleAdvance(now, this.settings.windows.graceMs)) return [];
    const outputs: OutputRecord[] = [];
    this.drain(outputs, closed);
    return outputs;
  }

  private drain(outputs: OutputRecord[], closedTumbling: WindowAggregate[]): void {
    const { windows, codec } = this;
    const update = this.settings.emitMode === 'update';
    for (const window of windows.closeDue()) {
      // On update, a window already went out with its last change.
      if (!update || window.changed) outputs.push(this.windowRecord(window));
      if (window.kind === 'tumbling') closedTumbling.push(window);
    }
    if (update)
      for (const window of windows.changedWindows()) outputs.push(this.windowRecord(window));
    for (const pane of windows.evicted) if (pane.persisted) outputs.push(codec.paneTombstone(pane));
    windows.evicted.length = 0;
    for (const pane of windows.dirty) {
      outputs.push(codec.pane(pane));
      pane.persisted = true;
    }
    windows.dirty.clear();
    this.persistStreamTime(outputs);
  }

  private windowRecord(window: WindowAggregate): OutputRecord {
    const tumbling = window.kind === 'tumbling';
    return {
      topic: tumbling ? this.settings.topics.windows1m : this.settings.topics.windows5m,
      contract: tumbling ? telemetryWindowContract : telemetryWindow5mContract,
      key: window.deviceId,
      value: windowValueOf(window),
    } as OutputRecord;
  }

  private lateRecord(
    reading: TelemetryRecord,
    windowStart: number,
    windowEnd: number,
  ): OutputRecord {
    return {
      topic: this.settings.topics.late,
      contract: lateReadingContract,
      key: reading.deviceId,
      value: {
        reading,
        windowStart,
        windowEnd,
        streamTime: this.windows.streamTime,
        reason: LATE_REASONS.WINDOW_CLOSED,
      },
    } as OutputRecord;
  }
}
