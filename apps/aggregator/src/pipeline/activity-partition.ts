import type { KafkaMessage } from 'kafkajs';
import {
  formatIssues,
  parseJson,
  sessionIdOf,
  userActivityContract,
  userSessionContract,
  type UserSession,
} from '@streamline/contracts';
import type { OutputRecord } from '@streamline/messaging';
import type { ChangelogCodec, ChangelogEntry } from '../state/changelog-codec';
import { SessionWindows, type Session } from '../windowing/session-windows';
import { NO_STREAM_TIME } from '../windowing/telemetry-windows';
import { DEAD_LETTER_CLASSES, deadLetterOf } from './dead-letters';
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
export class ActivityPartition {
  readonly sessions: SessionWindows;
  lastRecordAt: number;
  lateCount = 0;
  private persistedStreamTime = NO_STREAM_TIME;

  constructor(
    private readonly settings: PipelineSettings,
    readonly partition: number,
    private readonly codec: ChangelogCodec,
    now: number,
  ) {
    this.sessions = new SessionWindows(settings.sessions);
    this.lastRecordAt = now;
  }

  get streamTime(): number {
    return this.sessions.streamTime;
  }

  apply(entry: ChangelogEntry): void {
    if (entry.type === 'stream-time') {
      this.sessions.advanceTo(entry.streamTime);
      this.persistedStreamTime = this.sessions.streamTime;
    } else if (entry.type === 'session') {
      if (entry.session === null) this.sessions.forget(entry.userId, entry.start);
      else this.sessions.restore(entry.session);
    }
  }

  process(records: readonly KafkaMessage[], now: number): OutputRecord[] {
    const outputs: OutputRecord[] = [];
    for (const message of records) {
      const parsed = parseJson(userActivityContract, message.value);
      if (!parsed.ok) {
        outputs.push(
          this.deadLetter(message, DEAD_LETTER_CLASSES.CONTRACT, formatIssues(parsed.issues)),
        );
        continue;
      }
      const event = parsed.value;
      if (event.ts > now + this.settings.futureToleranceMs) {
        outputs.push(
          this.deadLetter(
            message,
            DEAD_LETTER_CLASSES.FUTURE,
            `ts is ${event.ts - now} ms ahead of the clock`,
          ),
        );
        continue;
      }
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
    if (now - this.lastRecordAt < this.settings.idleMs) return [];
    this.sessions.advanceTo(now - this.settings.sessions.graceMs);
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
    if (sessions.streamTime !== this.persistedStreamTime) {
      outputs.push(this.codec.streamTime(sessions.streamTime));
      this.persistedStreamTime = sessions.streamTime;
    }
  }

  private sessionRecord(session: Session): OutputRecord {
    return {
      topic: this.settings.topics.sessions,
      contract: userSessionContract,
      key: session.userId,
      value: sessionValueOf(session),
    } as OutputRecord;
  }

  private deadLetter(message: KafkaMessage, errorClass: string, reason: string): OutputRecord {
    return deadLetterOf(
      this.settings.service,
      this.settings.topics.activity,
      this.partition,
      message,
      errorClass,
      reason,
    );
  }
}
