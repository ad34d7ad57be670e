import { DeviceFleet } from './device-fleet';
import { EventSender, type FetchFn } from './event-sender';
import { startPacer, type Pacer } from './rate-limiter';
import type { SimulatorOptions } from './simulator-options';
import { StatsTracker, type SimulatorCounters, type Stats } from './simulator-stats';
import { deviceIdFor, TelemetryStream, type Random } from './telemetry-generator';
import { UserEventBatches, UserTraffic } from './user-traffic';

export interface SimulatorHooks {
  /** Receives a stats line every `statsInterval` seconds. */
  onStats?: (stats: Stats) => void;
  /** Receives human-readable notes (connection problems); the CLI writes them to stderr. */
  onLog?: (message: string) => void;
  random?: Random;
  fetchFn?: FetchFn;
  /** How long start waits for the devices to come online before generating anyway. */
  connectTimeoutMs?: number;
  /** POST /events requests in flight at most. */
  maxRequestsInFlight?: number;
}

export interface SimulatorHandle {
  /** Stops generating, waits for what is in flight, sends offline statuses, returns the final stats. */
  stop(): Promise<Stats>;
  /** The totals so far. */
  counters(): SimulatorCounters;
}

function startTelemetry(
  options: SimulatorOptions,
  fleet: DeviceFleet,
  deviceIds: readonly string[],
  counters: SimulatorCounters,
  random: Random,
): Pacer {
  const stream = new TelemetryStream(deviceIds, {
    batch: options.batch,
    badRatio: options.badRatio,
    periodMs: (deviceIds.length / options.rate) * 1_000,
    random,
  });
  return startPacer({ ratePerSecond: options.rate, unitsPerCall: options.batch }, () => {
    const deviceId = stream.nextDevice();
    if (!fleet.canPublish(deviceId)) {
      counters.readingsSkipped += options.batch;
      return;
    }
    const message = stream.message(deviceId, Date.now());
    fleet.publishTelemetry(deviceId, message.payload, message.readings, message.invalid);
  });
}

function startUserTraffic(
  options: SimulatorOptions,
  sender: EventSender,
  counters: SimulatorCounters,
  random: Random,
): Pacer {
  const traffic = new UserTraffic({
    users: options.users,
    eventsRate: options.eventsRate,
    now: Date.now(),
    random,
  });
  const batches = new UserEventBatches(traffic, options.httpBatch, options.badRatio, random);
  return startPacer({ ratePerSecond: options.eventsRate, unitsPerCall: options.httpBatch }, () => {
    if (!sender.canSend()) {
      counters.eventsSkipped += options.httpBatch;
      return;
    }
    const batch = batches.next(Date.now());
    sender.send(batch.events, batch.invalid);
  });
}

/**
 * Starts the simulated devices (one MQTT client each) and users (HTTP), paced by token
 * buckets. Resolves once the devices are online (or `connectTimeoutMs` passed: a broker
 * that is down only shows up in the stats). Never throws on broker or HTTP failures.
 */
export async function startSimulator(
  options: SimulatorOptions,
  hooks: SimulatorHooks = {},
): Promise<SimulatorHandle> {
  const random = hooks.random ?? Math.random;
  const tracker = new StatsTracker();
  const counters = tracker.counters;
  const pacers: Pacer[] = [];

  let fleet: DeviceFleet | undefined;
  if (options.devices > 0) {
    const deviceIds = Array.from({ length: options.devices }, (_, index) =>
      deviceIdFor(options.devicePrefix, index),
    );
    fleet = new DeviceFleet({ mqttUrl: options.mqttUrl, deviceIds, counters, onLog: hooks.onLog });
    const connected = await fleet.waitUntilOnline(hooks.connectTimeoutMs ?? 5_000);
    if (connected < deviceIds.length) {
      hooks.onLog?.(
        `${connected} of ${deviceIds.length} devices connected to ${options.mqttUrl}; the rest keep retrying`,
      );
    }
    if (options.rate > 0) pacers.push(startTelemetry(options, fleet, deviceIds, counters, random));
  }

  let sender: EventSender | undefined;
  if (options.users > 0 && options.eventsRate > 0) {
    sender = new EventSender({
      producerUrl: options.producerUrl,
      counters,
      maxInFlight: hooks.maxRequestsInFlight,
      fetchFn: hooks.fetchFn,
      onProblem: hooks.onLog,
    });
    pacers.push(startUserTraffic(options, sender, counters, random));
  }

  const onStats = hooks.onStats;
  const statsTimer = onStats
    ? setInterval(() => onStats(tracker.interval()), options.statsInterval * 1_000)
    : undefined;

  let stopping: Promise<Stats> | undefined;
  const stop = async (): Promise<Stats> => {
    for (const pacer of pacers) pacer.stop();
    if (statsTimer) clearInterval(statsTimer);
    await sender?.drain();
    await fleet?.stop();
    return tracker.total();
  };
  return {
    stop: () => (stopping ??= stop()),
    counters: () => ({ ...counters }),
  };
}
