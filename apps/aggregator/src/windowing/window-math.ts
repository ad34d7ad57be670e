/** Sizes of the telemetry windows, all in ms. `hoppingMs` is a multiple of `advanceMs`. */
export interface WindowSizes {
  tumblingMs: number;
  hoppingMs: number;
  advanceMs: number;
}

/** Which of the two telemetry window kinds. */
export type WindowKind = 'tumbling' | 'hopping';

/** The start of the window of `sizeMs` (aligned to the epoch) that holds `ts`. */
export function alignedStart(ts: number, sizeMs: number): number {
  return ts - (((ts % sizeMs) + sizeMs) % sizeMs);
}

/**
 * Starts of the hopping windows (`sizeMs` long, every `advanceMs`, aligned to the epoch) that
 * hold `ts`, earliest first: a window [s, s + size) holds ts when s <= ts < s + size.
 */
export function hoppingStarts(ts: number, sizeMs: number, advanceMs: number): number[] {
  const last = alignedStart(ts, advanceMs);
  const starts: number[] = [];
  for (let s = last - sizeMs + advanceMs; s <= last; s += advanceMs) {
    if (s + sizeMs > ts) starts.push(s);
  }
  return starts;
}

/** A window [start, end) has closed once stream time reached its end plus the grace period. */
export function isClosed(windowEnd: number, graceMs: number, streamTime: number): boolean {
  return windowEnd + graceMs <= streamTime;
}
