import type { KafkaMessage } from 'kafkajs';
import {
  sessionIdOf,
  userActivityContract,
  userSessionContract,
  type UserSession,
} from '@streamline/contracts';
import type { OutputRecord } from '@streamline/messaging';
import type { ChangelogCodec, ChangelogEntry } from '../state/changelog-codec';
import { SessionWindows, type Session } from '../windowing/session-windows';
import { DEAD_LETTER_CLASSES } from './dead-letters';
import { InputPartition } from './input-partition';
import type { PipelineSettings } from './pipeline-settings';

export function sessionValueOf(session: Session): UserSession {
  return {
    sessionId: sessionIdOf(session.userId, session.start),
    userId: session.userId,
    sessionStart: session.start,
    sessionEnd: session.end,
    eventCount: session.count,
    types: { ...session.types },
  };
}

/**
 * The user sessions of one input partition of the activity topic. A late event (its session had
 * closed) cannot be published as a late reading, whose contract is telemetry: it is dead-lettered
 * with class LateEventError, counted, never dropped.
 */
export class ActivityPartition extends InputPartition {
  readonly sessions: SessionWindows;

  constructor(settings: PipelineSettings, partition: number, codec: ChangelogCodec, now: number) {
    super(settings, partition, codec, settings.topics.activity, now);
    this.sessions = new SessionWindows(settings.sessions);
  }

  get streamTime(): number {
    return this.sessions.streamTime;
  }

  get size(): number {
    return this.sessions.size;
  }

  protected advanceTo(streamTime: number): void {
    this.sessions.advanceTo(streamTime);
  }

  protected applyState(entry: ChangelogEntry): void {
    if (entry.type !== 'session') return;
    if (entry.session === null) this.sessions.forget(entry.userId, entry.start);
    else this.sessions.restore(entry.session);
  }

  process(records: readonly KafkaMessage[], now: number): OutputRecord[] {
    const outputs: OutputRecord[] = [];
    for (const message of records) {
      const event = this.decode(userActivityContract, message, now, outputs);
      if (event === undefined) continue;
      if (!this.sessions.add(event.userId, event.ts, event.type)) {
        this.lateCount += 1;
        const reason = `the session of ts ${event.ts} had closed (stream time ${this.sessions.streamTime})`;
        outputs.push(this.deadLetter(message, DEAD_LETTER_CLASSES.LATE_EVENT, reason));
      }
    }
    if (records.length > 0) this.lastRecordAt = now;
    this.drain(outputs);
    return outputs;
  }

  punctuate(now: number): OutputRecord[] {
    if (!this.idleAdvance(now, this.settings.sessions.graceMs)) return [];
    const outputs: OutputRecord[] = [];
    this.drain(outputs);
    return outputs;
  }

  private drain(outputs: OutputRecord[]): void {
    const { sessions } = this;
    const update = this.settings.emitMode === 'update';
    // Tombstones of merged-away sessions first: a later write of the same key must win.
    for (const session of sessions.replaced) outputs.push(this.codec.sessionTombstone(session));
    sessions.replaced.length = 0;
    for (const session of sessions.closeDue()) {
      const changed = sessions.dirty.delete(session);
      if (!update || changed) outputs.push(this.sessionRecord(session));
      if (session.persisted) outputs.push(this.codec.sessionTombstone(session));
    }
    for (const session of sessions.dirty) {
      outputs.push(this.codec.session(session));
      session.persisted = true;
      if (update) outputs.push(this.sessionRecord(session));
    }
    sessions.dirty.clear();
    this.persistStreamTime(outputs);
  }

  private sessionRecord(session: Session): OutputRecord {
    return {
      topic: this.settings.topics.sessions,
      contract: userSessionContract,
      key: session.userId,
      value: sessionValueOf(session),
    } as OutputRecord;
  }
}
