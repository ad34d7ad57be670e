/** Running totals; every field only goes up. */
export interface SimulatorCounters {
  /** Valid readings in MQTT messages the broker acknowledged (PUBACK). */
  readingsPublished: number;
  /** Deliberately invalid MQTT messages the broker acknowledged. */
  invalidPublished: number;
  /** Readings not sent because their device was disconnected or too far behind. */
  readingsSkipped: number;
  /** Failed publishes and client errors (connection refused, PUBACK with an error code…). */
  mqttErrors: number;
  /** Events the producer answered with 2xx (per item on a 207). */
  eventsAccepted: number;
  /** Events answered with 4xx (404 while the endpoint does not exist yet counts here). */
  eventsRejected: number;
  /** Events answered with 5xx, or lost to a network error or timeout. */
  eventsFailed: number;
  /** Events not sent because the in-flight limit was reached. */
  eventsSkipped: number;
  /** Deliberately invalid events among those sent. */
  invalidEventsSent: number;
}

/** One stats line: totals, plus rates over the last interval (over the whole run when `final`). */
export interface Stats extends SimulatorCounters {
  final: boolean;
  elapsedSeconds: number;
  readingsPerSecond: number;
  /** Events whose POST completed, whatever the answer. */
  eventsPerSecond: number;
  eventsAcceptedPerSecond: number;
}

export function emptyCounters(): SimulatorCounters {
  return {
    readingsPublished: 0,
    invalidPublished: 0,
    readingsSkipped: 0,
    mqttErrors: 0,
    eventsAccepted: 0,
    eventsRejected: 0,
    eventsFailed: 0,
    eventsSkipped: 0,
    invalidEventsSent: 0,
  };
}

const perSecond = (delta: number, ms: number): number =>
  ms > 0 ? Math.round((delta / ms) * 100_000) / 100 : 0;
const eventsDone = (c: SimulatorCounters): number =>
  c.eventsAccepted + c.eventsRejected + c.eventsFailed;

/** The counters plus the bookkeeping for achieved rates. */
export class StatsTracker {
  readonly counters: SimulatorCounters = emptyCounters();
  private readonly startedAt: number;
  private lastAt: number;
  private last: SimulatorCounters = emptyCounters();

  constructor(private readonly clock: () => number = Date.now) {
    this.startedAt = clock();
    this.lastAt = this.startedAt;
  }

  /** A stats line with rates since the previous interval line. */
  interval(): Stats {
    const now = this.clock();
    const stats = this.build(now, this.last, now - this.lastAt, false);
    this.last = { ...this.counters };
    this.lastAt = now;
    return stats;
  }

  /** The final line, with rates averaged over the whole run. */
  total(): Stats {
    const now = this.clock();
    return this.build(now, emptyCounters(), now - this.startedAt, true);
  }

  private build(now: number, since: SimulatorCounters, ms: number, final: boolean): Stats {
    const c = this.counters;
    return {
      final,
      elapsedSeconds: Math.round((now - this.startedAt) / 10) / 100,
      ...c,
      readingsPerSecond: perSecond(c.readingsPublished - since.readingsPublished, ms),
      eventsPerSecond: perSecond(eventsDone(c) - eventsDone(since), ms),
      eventsAcceptedPerSecond: perSecond(c.eventsAccepted - since.eventsAccepted, ms),
    };
  }
}
