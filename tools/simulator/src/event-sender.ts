import type { SimulatorCounters } from './simulator-stats';

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

export interface EventSenderOptions {
  /** Base URL of the event-producer; events go to `<url>/events`. */
  producerUrl: string;
  counters: SimulatorCounters;
  /** Requests in flight at most; beyond that events are counted as skipped, never queued. */
  maxInFlight?: number;
  timeoutMs?: number;
  fetchFn?: FetchFn;
  /** Called when a failure reason first shows up (again after a success), not per request. */
  onProblem?: (message: string) => void;
}

type Outcome = 'accepted' | 'rejected' | 'failed';

function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'accepted';
  if (status >= 400 && status < 500) return 'rejected';
  return 'failed';
}

/** Per-item statuses from a 207 body, if it has a recognisable shape (an array of `{ status }`). */
function itemStatuses(body: string, expected: number): number[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const container = parsed as Record<string, unknown> | null;
  const candidates: unknown[] = [
    parsed,
    container?.['results'],
    container?.['items'],
    container?.['events'],
  ];
  for (const candidate of candidates) {
    if (!Array.isArray(candidate) || candidate.length !== expected) continue;
    const statuses = candidate.map((item: unknown) => {
      const record = item as Record<string, unknown> | null;
      const status = record?.['status'] ?? record?.['statusCode'];
      return typeof status === 'number' ? status : Number.NaN;
    });
    if (statuses.every((status) => Number.isInteger(status))) return statuses;
  }
  return undefined;
}

/**
 * POSTs user events to the event-producer with bounded concurrency. Every outcome is
 * counted, nothing throws: today the endpoint may answer 404 or the service may be down.
 */
export class EventSender {
  private inFlight = 0;
  private readonly pending = new Set<Promise<void>>();
  private readonly url: string;
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  private readonly fetchFn: FetchFn;
  private lastProblem: string | undefined;

  constructor(private readonly options: EventSenderOptions) {
    this.url = `${options.producerUrl.replace(/\/+$/, '')}/events`;
    this.maxInFlight = options.maxInFlight ?? 8;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.fetchFn = options.fetchFn ?? ((url, init) => fetch(url, init));
  }

  /** Whether a request would be sent now rather than skipped. */
  canSend(): boolean {
    return this.inFlight < this.maxInFlight;
  }

  /**
   * Sends `events` in one request (a single object when there is one, else an array),
   * or counts them as skipped when `maxInFlight` requests are already open.
   * `invalidCount` says how many of them are deliberately broken.
   */
  send(events: readonly unknown[], invalidCount = 0): boolean {
    if (events.length === 0) return true;
    if (this.inFlight >= this.maxInFlight) {
      this.options.counters.eventsSkipped += events.length;
      return false;
    }
    this.inFlight += 1;
    this.options.counters.invalidEventsSent += invalidCount;
    const body = JSON.stringify(events.length === 1 ? events[0] : events);
    const request = this.post(body, events.length, invalidCount).finally(() => {
      this.inFlight -= 1;
      this.pending.delete(request);
    });
    this.pending.add(request);
    return true;
  }

  /** Waits for the requests in flight (each ends by itself within the timeout). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async post(body: string, count: number, invalidCount: number): Promise<void> {
    const counters = this.options.counters;
    try {
      const response = await this.fetchFn(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      if (response.status === 207) {
        const statuses = itemStatuses(text, count);
        if (statuses) {
          for (const status of statuses) this.count(outcomeOf(status), 1);
        } else {
          // An unknown 207 body: assume exactly the deliberately broken events were refused.
          this.count('rejected', invalidCount);
          this.count('accepted', count - invalidCount);
        }
      } else {
        this.count(outcomeOf(response.status), count);
      }
      const expectedRefusal =
        invalidCount > 0 && (response.status === 400 || response.status === 422);
      if (response.ok) this.lastProblem = undefined;
      else if (!expectedRefusal) this.problem(`POST ${this.url} answered ${response.status}`);
    } catch (error) {
      counters.eventsFailed += count;
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      this.problem(`POST ${this.url} failed: ${reason}`);
    }
  }

  private count(outcome: Outcome, n: number): void {
    const counters = this.options.counters;
    if (outcome === 'accepted') counters.eventsAccepted += n;
    else if (outcome === 'rejected') counters.eventsRejected += n;
    else counters.eventsFailed += n;
  }

  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.options.onProblem?.(message);
  }
}
