import {
  addMetrics,
  emptyAccumulators,
  mergeInto,
  type MetricAccumulators,
} from './metric-accumulator';
import { alignedStart, isClosed, type WindowKind, type WindowSizes } from './window-math';

/** A telemetry window of one device, as published: merged from the panes it covers. */
export interface WindowAggregate {
  kind: WindowKind;
  deviceId: string;
  start: number;
  end: number;
  /** Readings in it. */
  count: number;
  metrics: MetricAccumulators;
  /** One of its panes changed since `dirty` was last drained (emit-on-update republishes it). */
  changed: boolean;
}

/**
 * One device's readings in one pane `[start, start + paneMs)`, the unit of state: every window
 * is a union of whole panes, so a reading is folded once (not into each of the six windows that
 * hold it) and the changelog gets one record per changed pane.
 */
export interface Pane {
  deviceId: string;
  start: number;
  count: number;
  metrics: MetricAccumulators;
  /** Its state is in the changelog (committed, or in the transaction being built). */
  persisted: boolean;
  /** Open windows covering it: at 0 it can go. */
  refs: number;
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

/** `p|<start>|<deviceId>`: the changelog key of a pane, unique within one input partition. */
export function paneKeyOf(deviceId: string, start: number): string {
  return `p|${start}|${deviceId}`;
}

interface WindowRef {
  kind: WindowKind;
  deviceId: string;
  start: number;
  end: number;
}

interface DeviceState {
  panes: Map<number, Pane>;
  /** Open windows, by `<kind>|<start>`. */
  windows: Map<string, WindowRef>;
}

const refKey = (kind: WindowKind, start: number) => `${kind}|${start}`;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The telemetry windows of ONE input partition: tumbling and hopping windows per device on event
 * time, the partition's stream time (highest event time seen) and which windows it has closed.
 * State is kept in panes (the greatest common divisor of the window size and the advance, one
 * minute by default) and a window is built from its panes when it closes, the way Flink and
 * Kafka Streams' window stores slice hopping windows. Pure and synchronous: the same readings in
 * any order within the grace period give the same windows, whatever the batching, because
 * lateness is decided per reading against stream time.
 */
export class TelemetryWindows {
  streamTime = NO_STREAM_TIME;
  /** Panes changed since the caller last drained `dirty`. */
  readonly dirty = new Set<Pane>();
  /** Panes dropped (no open window covers them any more) since the caller last drained this. */
  readonly evicted: Pane[] = [];
  readonly paneMs: number;
  private readonly devices = new Map<string, DeviceState>();
  /** Window end → open windows ending then: closing looks only at due ends. */
  private readonly byEnd = new Map<number, WindowRef[]>();
  private openWindows = 0;
  /** Panes read from the changelog whose windows are indexed once the restore ends. */
  private restoredPanes: Pane[] = [];
  /** Windows closed ahead of closeDue (see add), handed out by its next call. */
  private pendingClosed: WindowAggregate[] = [];

  constructor(private readonly spec: TelemetryWindowSpec) {
    this.paneMs = gcd(spec.tumblingMs, spec.advanceMs);
  }

  /** Open windows. */
  get size(): number {
    return this.openWindows;
  }

  /**
   * Folds a reading into its pane; returns the windows it missed, if any. A reading whose every
   * window has closed is not folded at all; one that missed only some still counts in the others.
   */
  add(
    deviceId: string,
    ts: number,
    metrics: Readonly<Record<string, number>>,
  ): MissedWindow[] | undefined {
    if (ts > this.streamTime) this.streamTime = ts;
    const { tumblingMs, hoppingMs, advanceMs, graceMs } = this.spec;
    const start = alignedStart(ts, this.paneMs);
    let device = this.devices.get(deviceId);
    let pane = device?.panes.get(start);
    // The window holding ts that ends first: open, so are all the others (the common case).
    const firstEnd = Math.min(
      alignedStart(ts, tumblingMs) + tumblingMs,
      alignedStart(ts, advanceMs) + advanceMs,
    );
    let missed: MissedWindow[] | undefined;
    if (pane === undefined || isClosed(firstEnd, graceMs, this.streamTime)) {
      const open: WindowRef[] = [];
      const consider = (kind: WindowKind, windowStart: number, sizeMs: number) => {
        const end = windowStart + sizeMs;
        if (isClosed(end, graceMs, this.streamTime))
          (missed ??= []).push({ kind, start: windowStart, end });
        else open.push({ kind, deviceId, start: windowStart, end });
      };
      consider('tumbling', alignedStart(ts, tumblingMs), tumblingMs);
      const last = alignedStart(ts, advanceMs);
      for (let s = last - hoppingMs + advanceMs; s <= last; s += advanceMs) {
        if (s + hoppingMs > ts) consider('hopping', s, hoppingMs);
      }
      if (open.length === 0) return missed;
      if (missed !== undefined) {
        // Windows that stream time closed but closeDue has not taken yet must not get this
        // reading through the pane they share with the open ones: they close first.
        this.closeInto(this.pendingClosed);
        device = this.devices.get(deviceId);
        pane = device?.panes.get(start);
      }
      if (pane === undefined) {
        device ??= this.deviceOf(deviceId);
        pane = {
          deviceId,
          start,
          count: 0,
          metrics: emptyAccumulators(),
          persisted: false,
          refs: 0,
        };
        device.panes.set(start, pane);
        this.cover(device, pane, open);
      }
    }
    pane.count += 1;
    addMetrics(pane.metrics, metrics);
    this.dirty.add(pane);
    return missed;
  }

  /** Moves stream time forward (never back): the idle clock. */
  advanceTo(streamTime: number): void {
    if (streamTime > this.streamTime) this.streamTime = streamTime;
  }

  /**
   * Removes and returns the windows stream time has closed, in a deterministic order; panes no
   * open window covers any more go to `evicted`.
   */
  closeDue(): WindowAggregate[] {
    const closed = this.pendingClosed;
    this.pendingClosed = [];
    this.closeInto(closed);
    return closed.sort(compareWindows);
  }

  /** The open windows a changed pane is in, each once (emit-on-update). */
  changedWindows(): WindowAggregate[] {
    const seen = new Set<WindowRef>();
    for (const pane of this.dirty) {
      for (const ref of this.devices.get(pane.deviceId)?.windows.values() ?? []) {
        if (ref.start <= pane.start && pane.start < ref.end) seen.add(ref);
      }
    }
    return [...seen].map((ref) => this.aggregate(ref, false)).sort(compareWindows);
  }

  /** Puts back a pane read from the changelog (a later version replaces an earlier one). */
  restore(pane: Pane): void {
    this.deviceOf(pane.deviceId).panes.set(pane.start, pane);
    this.restoredPanes.push(pane);
  }

  /** Removes a pane the changelog says is gone (a tombstone). */
  forget(deviceId: string, start: number): void {
    this.devices.get(deviceId)?.panes.delete(start);
  }

  /**
   * Ends a restore: indexes the windows of the restored panes that the restored stream time has
   * not closed. A pane with none left (its tombstone did not make it) is evicted again.
   */
  finishRestore(): void {
    const panes = this.restoredPanes;
    this.restoredPanes = [];
    const { tumblingMs, hoppingMs, advanceMs, graceMs } = this.spec;
    for (const pane of panes) {
      const device = this.devices.get(pane.deviceId);
      if (device?.panes.get(pane.start) !== pane) continue;
      const open: WindowRef[] = [];
      const consider = (kind: WindowKind, start: number, sizeMs: number) => {
        if (!isClosed(start + sizeMs, graceMs, this.streamTime))
          open.push({ kind, deviceId: pane.deviceId, start, end: start + sizeMs });
      };
      consider('tumbling', alignedStart(pane.start, tumblingMs), tumblingMs);
      const last = alignedStart(pane.start, advanceMs);
      for (let s = last - hoppingMs + advanceMs; s <= last; s += advanceMs)
        consider('hopping', s, hoppingMs);
      if (open.length > 0) this.cover(device, pane, open);
      else this.evict(device, pane);
    }
  }

  /** Open windows, optionally of one device, ordered like closed ones. */
  list(deviceId?: string): WindowAggregate[] {
    const devices =
      deviceId === undefined ? [...this.devices.values()] : [this.devices.get(deviceId)];
    const all: WindowAggregate[] = [];
    for (const device of devices) {
      for (const ref of device?.windows.values() ?? []) all.push(this.aggregate(ref, false));
    }
    return all.sort(compareWindows);
  }

  private closeInto(closed: WindowAggregate[]): void {
    for (const [end, refs] of this.byEnd) {
      if (!isClosed(end, this.spec.graceMs, this.streamTime)) continue;
      this.byEnd.delete(end);
      for (const ref of refs) closed.push(this.close(ref));
    }
  }

  private deviceOf(deviceId: string): DeviceState {
    let device = this.devices.get(deviceId);
    if (device === undefined) {
      device = { panes: new Map(), windows: new Map() };
      this.devices.set(deviceId, device);
    }
    return device;
  }

  /** Registers the open windows covering a new pane, each once per device. */
  private cover(device: DeviceState, pane: Pane, open: readonly WindowRef[]): void {
    pane.refs = open.length;
    for (const ref of open) {
      const key = refKey(ref.kind, ref.start);
      if (device.windows.has(key)) continue;
      device.windows.set(key, ref);
      this.openWindows += 1;
      const refs = this.byEnd.get(ref.end);
      if (refs === undefined) this.byEnd.set(ref.end, [ref]);
      else refs.push(ref);
    }
  }

  private close(ref: WindowRef): WindowAggregate {
    const device = this.devices.get(ref.deviceId) as DeviceState;
    const window = this.aggregate(ref, true);
    device.windows.delete(refKey(ref.kind, ref.start));
    this.openWindows -= 1;
    for (let start = ref.start; start < ref.end; start += this.paneMs) {
      const pane = device.panes.get(start);
      if (pane !== undefined && --pane.refs === 0) this.evict(device, pane);
    }
    if (device.panes.size === 0 && device.windows.size === 0) this.devices.delete(ref.deviceId);
    return window;
  }

  private evict(device: DeviceState, pane: Pane): void {
    device.panes.delete(pane.start);
    this.dirty.delete(pane);
    this.evicted.push(pane);
  }

  private aggregate(ref: WindowRef, withChanged: boolean): WindowAggregate {
    const panes = this.devices.get(ref.deviceId)?.panes;
    const metrics = emptyAccumulators();
    let count = 0;
    let changed = false;
    for (let start = ref.start; start < ref.end; start += this.paneMs) {
      const pane = panes?.get(start);
      if (pane === undefined) continue;
      count += pane.count;
      mergeInto(metrics, pane.metrics);
      if (withChanged && this.dirty.has(pane)) changed = true;
    }
    return { ...ref, count, metrics, changed };
  }
}

/** By end, then tumbling before hopping, then device, then start. */
export function compareWindows(a: WindowAggregate, b: WindowAggregate): number {
  if (a.end !== b.end) return a.end - b.end;
  if (a.kind !== b.kind) return a.kind === 'tumbling' ? -1 : 1;
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  return a.start - b.start;
}
