import type { KafkaMessage } from 'kafkajs';
import type { RawRecord } from '@streamline/messaging';
import type { MetricAccumulator, MetricAccumulators } from '../windowing/metric-accumulator';
import { sessionKeyOf, type Session } from '../windowing/session-windows';
import { paneKeyOf, type Pane } from '../windowing/telemetry-windows';

/**
 * Changelog records of one input partition go to the changelog partition of the same number;
 * their keys start with the input topic, so the two inputs' partition n share changelog
 * partition n without colliding: `<topic>|p|<start>|<device>` (a telemetry pane),
 * `<topic>|s|<start>|<user>` (a session) and `<topic>|st` (stream time). A tombstone (null value)
 * ends a pane or session. Records of the pre-pane format (`|t|`, `|h|`: whole windows) are
 * ignored: an upgrade from it starts the open windows afresh.
 */
export const STREAM_TIME_KEY = 'st';

/** Compact changelog value of a pane: metrics as [count, min, max, sum]. */
interface PaneValue {
  d: string;
  s: number;
  c: number;
  m: Record<string, [number, number, number, number]>;
}
interface SessionValue {
  u: string;
  s: number;
  e: number;
  c: number;
  t: Record<string, number>;
}
interface StreamTimeValue {
  st: number;
}

export class ChangelogCodec {
  constructor(
    private readonly topic: string,
    private readonly inputTopic: string,
    private readonly partition: number,
  ) {}

  pane(pane: Pane): RawRecord {
    const m: PaneValue['m'] = {};
    for (const name in pane.metrics) {
      const a = pane.metrics[name] as MetricAccumulator;
      m[name] = [a.count, a.min, a.max, a.sum];
    }
    const value: PaneValue = { d: pane.deviceId, s: pane.start, c: pane.count, m };
    return this.record(paneKeyOf(pane.deviceId, pane.start), JSON.stringify(value));
  }

  paneTombstone(pane: Pane): RawRecord {
    return this.record(paneKeyOf(pane.deviceId, pane.start), null);
  }

  session(session: Session): RawRecord {
    const value: SessionValue = {
      u: session.userId,
      s: session.start,
      e: session.end,
      c: session.count,
      t: session.types,
    };
    return this.record(sessionKeyOf(session), JSON.stringify(value));
  }

  sessionTombstone(session: Session): RawRecord {
    return this.record(sessionKeyOf(session), null);
  }

  streamTime(streamTime: number): RawRecord {
    const value: StreamTimeValue = { st: streamTime };
    return this.record(STREAM_TIME_KEY, JSON.stringify(value));
  }

  private record(key: string, value: string | null): RawRecord {
    return {
      topic: this.topic,
      partition: this.partition,
      key: `${this.inputTopic}|${key}`,
      value,
    };
  }
}

/** What one changelog record says about the state of one input topic's partition. */
export type ChangelogEntry =
  | { type: 'stream-time'; streamTime: number }
  | { type: 'pane'; deviceId: string; start: number; pane: Pane | null }
  | { type: 'session'; key: string; userId: string; start: number; session: Session | null };

/** Decodes a changelog record of `inputTopic`; undefined for the other input's records. */
export function decodeChangelog(
  inputTopic: string,
  message: KafkaMessage,
): ChangelogEntry | undefined {
  const fullKey = message.key?.toString();
  const prefix = `${inputTopic}|`;
  if (fullKey === undefined || !fullKey.startsWith(prefix)) return undefined;
  const key = fullKey.slice(prefix.length);
  const text = message.value === null ? null : message.value.toString();
  if (key === STREAM_TIME_KEY) {
    return text === null
      ? undefined
      : { type: 'stream-time', streamTime: (JSON.parse(text) as StreamTimeValue).st };
  }
  const [kind, start, ...entity] = key.split('|');
  if (kind === 's') {
    const value = text === null ? null : (JSON.parse(text) as SessionValue);
    return {
      type: 'session',
      key,
      userId: entity.join('|'),
      start: Number(start),
      session:
        value === null
          ? null
          : {
              userId: value.u,
              start: value.s,
              end: value.e,
              count: value.c,
              types: value.t,
              persisted: true,
            },
    };
  }
  if (kind !== 'p') return undefined;
  const deviceId = entity.join('|');
  if (text === null) return { type: 'pane', deviceId, start: Number(start), pane: null };
  const v = JSON.parse(text) as PaneValue;
  const metrics = Object.create(null) as MetricAccumulators;
  for (const name in v.m) {
    const [count, min, max, sum] = v.m[name] as [number, number, number, number];
    metrics[name] = { count, min, max, sum };
  }
  return {
    type: 'pane',
    deviceId,
    start: Number(start),
    pane: { deviceId: v.d, start: v.s, count: v.c, metrics, persisted: true, refs: 0 },
  };
}
