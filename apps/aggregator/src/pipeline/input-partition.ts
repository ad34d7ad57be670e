import type { KafkaMessage } from 'kafkajs';
import { formatIssues, parseJson, type Contract } from '@streamline/contracts';
import type { OutputRecord } from '@streamline/messaging';
import type { ChangelogCodec, ChangelogEntry } from '../state/changelog-codec';
import { NO_STREAM_TIME } from '../windowing/telemetry-windows';
import { DEAD_LETTER_CLASSES, deadLetterOf } from './dead-letters';
import type { PipelineSettings } from './pipeline-settings';

/**
 * What every input partition's state shares: decoding with dead letters, the idle clock, the
 * stream time and its changelog record.
 */
export abstract class InputPartition {
  /** Wall clock of the last record (or of the restore): the idle timer starts here. */
  lastRecordAt: number;
  lateCount = 0;
  private persistedStreamTime = NO_STREAM_TIME;

  protected constructor(
    protected readonly settings: PipelineSettings,
    readonly partition: number,
    protected readonly codec: ChangelogCodec,
    private readonly inputTopic: string,
    now: number,
  ) {
    this.lastRecordAt = now;
  }

  abstract get streamTime(): number;
  /** Open windows or sessions held. */
  abstract get size(): number;
  protected abstract advanceTo(streamTime: number): void;
  protected abstract applyState(entry: ChangelogEntry): void;

  /** Applies one restored changelog entry. */
  apply(entry: ChangelogEntry): void {
    if (entry.type !== 'stream-time') return this.applyState(entry);
    this.advanceTo(entry.streamTime);
    this.persistedStreamTime = this.streamTime;
  }

  /** Called once every changelog entry of the partition has been applied. */
  restored(): void {
    // Nothing to index by default.
  }

  /** The record's value, or undefined once it went to the dead-letter topic (bad, or too far ahead). */
  protected decode<T extends { ts: number }>(
    contract: Contract<T>,
    message: KafkaMessage,
    now: number,
    outputs: OutputRecord[],
  ): T | undefined {
    const parsed = parseJson(contract, message.value);
    if (!parsed.ok) {
      outputs.push(
        this.deadLetter(message, DEAD_LETTER_CLASSES.CONTRACT, formatIssues(parsed.issues)),
      );
      return undefined;
    }
    const ahead = parsed.value.ts - now;
    if (ahead > this.settings.futureToleranceMs) {
      const reason = `ts is ${ahead} ms ahead of the clock (more than ${this.settings.futureToleranceMs} ms)`;
      outputs.push(this.deadLetter(message, DEAD_LETTER_CLASSES.FUTURE, reason));
      return undefined;
    }
    return parsed.value;
  }

  /** The idle clock: with no record for idleMs, stream time follows the wall clock minus grace. */
  protected idleAdvance(now: number, graceMs: number): boolean {
    if (now - this.lastRecordAt < this.settings.idleMs) return false;
    this.advanceTo(now - graceMs);
    return true;
  }

  /** The stream time's changelog record, when it moved since the last one. */
  protected persistStreamTime(outputs: OutputRecord[]): void {
    if (this.streamTime === this.persistedStreamTime) return;
    outputs.push(this.codec.streamTime(this.streamTime));
    this.persistedStreamTime = this.streamTime;
  }

  protected deadLetter(message: KafkaMessage, errorClass: string, reason: string): OutputRecord {
    return deadLetterOf(
      this.settings.service,
      this.inputTopic,
      this.partition,
      message,
      errorClass,
      reason,
    );
  }
}
