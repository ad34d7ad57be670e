import { addMetrics, emptyAccumulators, type MetricAccumulators } from './metric-accumulator';
import { alignedStart, isClosed, type WindowKind, type WindowSizes } from './window-math';

/** An open telemetry window of one device. */
export interface OpenWindow {
  kind: WindowKind;
  deviceId: string;
  start: number;
  end: number;
  /** Readings folded in. */
  count: number;
  metrics: MetricAccumulators;
  /** Its state is in the changelog (committed, or in the transaction being built). */
  persisted: boolean;
}

/** A window a reading missed because it had closed. */
export interface MissedWindow {
  kind: WindowKind;
  start: number;
  end: number;
}

export interface TelemetryWindowSpec extends WindowSizes {
  graceMs: number;
}

/** Stream time before any record: no window is closed. */
export const NO_STREAM_TIME = Number.NEGATIVE_INFINITY;

/** `<kind>|<start>|<deviceId>`: unique per window within one input partition. */
export function windowKeyOf(kind: WindowKind, deviceId: string, start: number): string {
  return `${kind === 'tumbling' ? 't' : 'h'}|${start}|${deviceId}`;
}

/**
 * The telemetry windows of ONE input partition: tumbling and hopping windows per device on event
 * time, the partition's stream time (highest event time seen) and which windows it has closed.
 * Pure and synchronous: the same readings in any order within the grace period give the same
 * windows, whatever the batching, because lateness is decided per reading against stream time.
 */
export class TelemetryWindows {
  streamTime = NO_STREAM_TIME;
  /** Windows changed since the caller last drained `dirty`. */
  readonly dirty = new Set<OpenWindow>();
  private readonly open = new Map<string, OpenWindow>();
  /** Window end → keys of the open windows ending then: closing scans only due ends. */
  private readonly byEnd = new Map<number, string[]>();

  constructor(private readonly spec: TelemetryWindowSpec) {}

  get size(): number {
    return this.open.size;
  }

  /** Folds a reading into its open windows; returns the windows it missed, if any. */
  add(
    deviceId: string,
    ts: number,
    metrics: Readonly<Record<string, number>>,
  ): MissedWindow[] | undefined {
    if (ts > this.streamTime) this.streamTime = ts;
    const { tumblingMs, hoppingMs, advanceMs } = this.spec;
    const tumbling = alignedStart(ts, tumblingMs);
    let missed = this.fold('tumbling', deviceId, tumbling, tumblingMs, metrics, undefined);
    const last = alignedStart(ts, advanceMs);
    for (let start = last - hoppingMs + advanceMs; start <= last; start += advanceMs) {
      if (start + hoppingMs > ts) {
        missed = this.fold('hopping', deviceId, start, hoppingMs, metrics, missed);
      }
    }
    return missed;
  }

  /** Moves stream time forward (never back): the idle clock. */
  advanceTo(streamTime: number): void {
    if (streamTime > this.streamTime) this.streamTime = streamTime;
  }

  /** Removes and returns the windows stream time has closed, in a deterministic order. */
  closeDue(): OpenWindow[] {
    const closed: OpenWindow[] = [];
    for (const [end, keys] of this.byEnd) {
      if (!isClosed(end, this.spec.graceMs, this.streamTime)) continue;
      this.byEnd.delete(end);
      for (const key of keys) {
        const window = this.open.get(key);
        if (window === undefined) continue;
        this.open.delete(key);
        closed.push(window);
      }
    }
    return closed.sort(compareWindows);
  }

  /** Puts back a window read from the changelog (a later version replaces an earlier one). */
  restore(window: OpenWindow): void {
    this.insert(windowKeyOf(window.kind, window.deviceId, window.start), window);
  }

  /** Removes a window the changelog says closed (a tombstone). */
  forget(key: string): void {
    this.open.delete(key);
  }

  /** Open windows, optionally of one device, ordered like closed ones. */
  list(deviceId?: string): OpenWindow[] {
    const all = [...this.open.values()];
    return (deviceId === undefined ? all : all.filter((w) => w.deviceId === deviceId)).sort(
      compareWindows,
    );
  }

  private fold(
    kind: WindowKind,
    deviceId: string,
    start: number,
    sizeMs: number,
    metrics: Readonly<Record<string, number>>,
    missed: MissedWindow[] | undefined,
  ): MissedWindow[] | undefined {
    const end = start + sizeMs;
    if (isClosed(end, this.spec.graceMs, this.streamTime)) {
      (missed ??= []).push({ kind, start, end });
      return missed;
    }
    const key = windowKeyOf(kind, deviceId, start);
    let window = this.open.get(key);
    if (window === undefined) {
      window = {
        kind,
        deviceId,
        start,
        end,
        count: 0,
        metrics: emptyAccumulators(),
        persisted: false,
      };
      this.insert(key, window);
    }
    window.count += 1;
    addMetrics(window.metrics, metrics);
    this.dirty.add(window);
    return missed;
  }

  private insert(key: string, window: OpenWindow): void {
    const known = this.open.has(key);
    this.open.set(key, window);
    if (known) return;
    const keys = this.byEnd.get(window.end);
    if (keys === undefined) this.byEnd.set(window.end, [key]);
    else keys.push(key);
  }
}

/** By end, then tumbling before hopping, then device, then start. */
export function compareWindows(a: OpenWindow, b: OpenWindow): number {
  if (a.end !== b.end) return a.end - b.end;
  if (a.kind !== b.kind) return a.kind === 'tumbling' ? -1 : 1;
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  return a.start - b.start;
}
