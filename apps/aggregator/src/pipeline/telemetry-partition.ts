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
import { TelemetryWindows, type OpenWindow } from '../windowing/telemetry-windows';
import { InputPartition } from './input-partition';
import type { PipelineSettings } from './pipeline-settings';

/** The published form of a window. */
export function windowValueOf(window: OpenWindow): TelemetryWindow {
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
    if (entry.type !== 'window') return;
    if (entry.window === null) this.windows.forget(entry.key);
    else this.windows.restore(entry.window);
  }

  /** Turns a run of input records into outputs; closed 1-minute windows go to `closed`. */
  process(records: readonly KafkaMessage[], now: number, closed: OpenWindow[]): OutputRecord[] {
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
  punctuate(now: number, closed: OpenWindow[]): OutputRecord[] {
    if (!this.idleAdvance(now, this.settings.windows.graceMs)) return [];
    const outputs: OutputRecord[] = [];
    this.drain(outputs, closed);
    return outputs;
  }

  private drain(outputs: OutputRecord[], closedTumbling: OpenWindow[]): void {
    const { windows } = this;
    const update = this.settings.emitMode === 'update';
    for (const window of windows.closeDue()) {
      const changed = windows.dirty.delete(window);
      if (!update || changed) outputs.push(this.windowRecord(window));
      if (window.persisted) outputs.push(this.codec.windowTombstone(window));
      if (window.kind === 'tumbling') closedTumbling.push(window);
    }
    for (const window of windows.dirty) {
      outputs.push(this.codec.window(window));
      window.persisted = true;
      if (update) outputs.push(this.windowRecord(window));
    }
    windows.dirty.clear();
    this.persistStreamTime(outputs);
  }

  private windowRecord(window: OpenWindow): OutputRecord {
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
