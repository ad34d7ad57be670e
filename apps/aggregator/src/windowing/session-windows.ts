import { NO_STREAM_TIME } from './telemetry-windows';

/** One user's session: first and last event time, events, events per type. */
export interface Session {
  userId: string;
  start: number;
  end: number;
  count: number;
  types: Record<string, number>;
  /** Its state is in the changelog (committed, or in the transaction being built). */
  persisted: boolean;
}

export interface SessionSpec {
  /** Inactivity gap: events further apart than this are in different sessions. */
  gapMs: number;
  graceMs: number;
}

/** One session out of two (order does not matter): the merge is associative and commutative. */
export function mergeSessions(a: Session, b: Session): Session {
  const types: Record<string, number> = { ...a.types };
  for (const type in b.types) types[type] = (types[type] ?? 0) + (b.types[type] as number);
  return {
    userId: a.userId,
    start: Math.min(a.start, b.start),
    end: Math.max(a.end, b.end),
    count: a.count + b.count,
    types,
    persisted: false,
  };
}

/** `s|<start>|<userId>`: unique per session within one input partition. */
export function sessionKeyOf(session: Pick<Session, 'userId' | 'start'>): string {
  return `s|${session.start}|${session.userId}`;
}

/**
 * Session windows of ONE input partition. An event joins every open session it lies within the
 * gap of (bridging two merges them); a session closes once stream time passes its last event plus
 * the gap plus the grace period. Sessions due to close are invisible to new events even before
 * `closeDue` runs, so the result does not depend on how records were batched.
 */
export class SessionWindows {
  streamTime = NO_STREAM_TIME;
  /** Sessions created or grown since the caller last drained `dirty`. */
  readonly dirty = new Set<Session>();
  /** Persisted sessions a merge replaced: their changelog keys need tombstones. */
  readonly replaced: Session[] = [];
  private readonly byUser = new Map<string, Session[]>();
  private count = 0;

  constructor(private readonly spec: SessionSpec) {}

  get size(): number {
    return this.count;
  }

  /** Adds an event; returns false when it is late (its session would already have closed). */
  add(userId: string, ts: number, type: string): boolean {
    if (ts > this.streamTime) this.streamTime = ts;
    const sessions = this.byUser.get(userId) ?? [];
    let merged: Session = {
      userId,
      start: ts,
      end: ts,
      count: 1,
      types: { [type]: 1 },
      persisted: false,
    };
    const kept: Session[] = [];
    const absorbed: Session[] = [];
    for (const session of sessions) {
      const joins =
        !this.isClosed(session) &&
        ts >= session.start - this.spec.gapMs &&
        ts <= session.end + this.spec.gapMs;
      if (joins) {
        merged = mergeSessions(merged, session);
        absorbed.push(session);
      } else kept.push(session);
    }
    if (this.isClosed(merged)) return false;
    for (const session of absorbed) {
      this.dirty.delete(session);
      if (session.persisted) this.replaced.push(session);
    }
    // A merge that keeps the start keeps the key: the new state overwrites the old one.
    const sameKey = absorbed.find((s) => s.persisted && s.start === merged.start);
    if (sameKey !== undefined) {
      merged.persisted = true;
      this.replaced.splice(this.replaced.indexOf(sameKey), 1);
    }
    kept.push(merged);
    kept.sort((a, b) => a.start - b.start);
    this.byUser.set(userId, kept);
    this.count += 1 - absorbed.length;
    this.dirty.add(merged);
    return true;
  }

  advanceTo(streamTime: number): void {
    if (streamTime > this.streamTime) this.streamTime = streamTime;
  }

  /** Removes and returns the sessions stream time has closed, by end then user. */
  closeDue(): Session[] {
    const closed: Session[] = [];
    for (const [userId, sessions] of this.byUser) {
      const open = sessions.filter((s) => !this.isClosed(s));
      if (open.length === sessions.length) continue;
      closed.push(...sessions.filter((s) => this.isClosed(s)));
      if (open.length === 0) this.byUser.delete(userId);
      else this.byUser.set(userId, open);
    }
    this.count -= closed.length;
    return closed.sort(
      (a, b) => a.end - b.end || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
    );
  }

  /** Puts back a session read from the changelog (a later version of its key replaces it). */
  restore(session: Session): void {
    this.forget(session.userId, session.start);
    const sessions = this.byUser.get(session.userId) ?? [];
    sessions.push(session);
    sessions.sort((a, b) => a.start - b.start);
    this.byUser.set(session.userId, sessions);
    this.count += 1;
  }

  /** Removes a session the changelog says closed or merged (a tombstone). */
  forget(userId: string, start: number): void {
    const sessions = this.byUser.get(userId);
    if (sessions === undefined) return;
    const rest = sessions.filter((s) => s.start !== start);
    this.count -= sessions.length - rest.length;
    if (rest.length === 0) this.byUser.delete(userId);
    else this.byUser.set(userId, rest);
  }

  list(userId?: string): Session[] {
    if (userId !== undefined) return [...(this.byUser.get(userId) ?? [])];
    return [...this.byUser.values()].flat();
  }

  private isClosed(session: Session): boolean {
    return session.end + this.spec.gapMs + this.spec.graceMs <= this.streamTime;
  }
}
