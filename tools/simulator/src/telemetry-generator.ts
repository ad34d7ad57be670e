import { BadRatioSelector } from './bad-ratio-selector';

/** A source of uniform numbers in [0, 1); `Math.random` unless a test seeds its own. */
export type Random = () => number;

/** One reading as the contract `iot.telemetry/1` accepts it on input. */
export interface TelemetryReading {
  deviceId: string;
  /** Event time: ISO-8601 on odd seq, epoch ms on even seq (both are valid input). */
  ts: string | number;
  seq: number;
  metrics: { temperature: number; humidity: number; battery: number };
}

/** The ids the contract allows. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** `sim-device-0001` for prefix `sim-device` and index 0. */
export function deviceIdFor(prefix: string, index: number): string {
  return `${prefix}-${String(index + 1).padStart(4, '0')}`;
}

export const telemetryTopic = (deviceId: string): string => `sensors/${deviceId}/telemetry`;
export const statusTopic = (deviceId: string): string => `sensors/${deviceId}/status`;

const round2 = (value: number): number => Math.round(value * 100) / 100;
const clamp = (value: number, low: number, high: number): number =>
  Math.min(high, Math.max(low, value));

/** Chance per reading that a temperature spike starts (so threshold alerts can fire). */
const SPIKE_CHANCE = 0.02;

/**
 * The state of one simulated device: mean-reverting random walks for temperature and
 * humidity, a slowly draining battery that gets recharged, an occasional heat spike
 * above 30 °C, and a sequence number that only goes up.
 */
export class DeviceTelemetry {
  private seq = 0;
  private temperature: number;
  private humidity: number;
  private battery: number;
  private spikeLeft = 0;

  constructor(
    readonly deviceId: string,
    private readonly random: Random = Math.random,
  ) {
    this.temperature = 19 + random() * 6;
    this.humidity = 35 + random() * 25;
    this.battery = 60 + random() * 40;
  }

  /** The next reading, taken at `now` (epoch ms). */
  next(now: number): TelemetryReading {
    this.seq += 1;
    this.step();
    const temperature = this.spikeLeft > 0 ? 30.5 + this.random() * 8 : this.temperature;
    return {
      deviceId: this.deviceId,
      ts: this.seq % 2 === 1 ? new Date(now).toISOString() : now,
      seq: this.seq,
      metrics: {
        temperature: round2(temperature),
        humidity: round2(this.humidity),
        battery: round2(this.battery),
      },
    };
  }

  /** `count` consecutive readings, the last taken at `now` and the earlier ones `periodMs` apart. */
  nextBatch(count: number, now: number, periodMs: number): TelemetryReading[] {
    const readings: TelemetryReading[] = [];
    for (let i = count - 1; i >= 0; i -= 1)
      readings.push(this.next(Math.round(now - i * periodMs)));
    return readings;
  }

  private step(): void {
    if (this.spikeLeft > 0) this.spikeLeft -= 1;
    else if (this.random() < SPIKE_CHANCE) this.spikeLeft = 1 + Math.floor(this.random() * 4);
    this.temperature = clamp(
      this.temperature + (22 - this.temperature) * 0.05 + (this.random() - 0.5) * 0.6,
      10,
      29,
    );
    this.humidity = clamp(
      this.humidity + (45 - this.humidity) * 0.03 + (this.random() - 0.5) * 2,
      5,
      95,
    );
    this.battery -= 0.01 + this.random() * 0.04;
    if (this.battery < 5) this.battery = 100;
  }
}

/** The ways a simulated device breaks the telemetry contract, to feed the dead-letter path. */
export const INVALID_TELEMETRY_KINDS = [
  'not-json',
  'not-an-object',
  'missing-metrics',
  'metric-not-a-number',
  'bad-timestamp',
  'device-mismatch',
] as const;
export type InvalidTelemetryKind = (typeof INVALID_TELEMETRY_KINDS)[number];

/** A payload for `sensors/<deviceId>/telemetry` that a correct ingestor must reject. */
export function invalidTelemetryPayload(
  deviceId: string,
  now: number,
  random: Random = Math.random,
): string {
  const kind =
    INVALID_TELEMETRY_KINDS[Math.floor(random() * INVALID_TELEMETRY_KINDS.length)] ?? 'not-json';
  return invalidTelemetryPayloadOfKind(kind, deviceId, now);
}

export function invalidTelemetryPayloadOfKind(
  kind: InvalidTelemetryKind,
  deviceId: string,
  now: number,
): string {
  const metrics = { temperature: 21.5, humidity: 40, battery: 80 };
  switch (kind) {
    case 'not-json':
      return `{"deviceId":"${deviceId}","ts":${now},"metrics":{"temperature":`;
    case 'not-an-object':
      return JSON.stringify(`reading from ${deviceId}`);
    case 'missing-metrics':
      return JSON.stringify({ deviceId, ts: now });
    case 'metric-not-a-number':
      return JSON.stringify({ deviceId, ts: now, metrics: { ...metrics, temperature: 'hot' } });
    case 'bad-timestamp':
      return JSON.stringify({ deviceId, ts: 'yesterday at noon', metrics });
    case 'device-mismatch':
      return JSON.stringify({ deviceId: `${deviceId}-other`, ts: now, metrics });
  }
}

/** One MQTT message the fleet should publish. */
export interface TelemetryMessage {
  deviceId: string;
  payload: string;
  /** Valid readings in the payload (0 for an invalid one). */
  readings: number;
  invalid: boolean;
}

export interface TelemetryStreamOptions {
  /** Readings per message; above 1 the payload is a JSON array (a gateway's batch). */
  batch: number;
  badRatio: number;
  /** Time between two readings of one device, to spread the timestamps inside a batch. */
  periodMs: number;
  random?: Random;
}

/**
 * The telemetry of a fleet, one message at a time: devices take turns, and the
 * requested share of messages is deliberately invalid (such a message uses no seq).
 */
export class TelemetryStream {
  private readonly devices: Map<string, DeviceTelemetry>;
  private readonly order: readonly string[];
  private readonly badSelector: BadRatioSelector;
  private readonly random: Random;
  private turn = 0;

  constructor(
    deviceIds: readonly string[],
    private readonly options: TelemetryStreamOptions,
  ) {
    if (deviceIds.length === 0) throw new RangeError('TelemetryStream needs at least one device');
    this.random = options.random ?? Math.random;
    this.order = [...deviceIds];
    this.devices = new Map(
      deviceIds.map((deviceId) => [deviceId, new DeviceTelemetry(deviceId, this.random)]),
    );
    this.badSelector = new BadRatioSelector(options.badRatio);
  }

  /** The device whose turn it is; advances the rotation. */
  nextDevice(): string {
    const deviceId = this.order[this.turn % this.order.length] ?? '';
    this.turn = (this.turn + 1) % this.order.length;
    return deviceId;
  }

  /** The next message of `deviceId`, taken at `now`. */
  message(deviceId: string, now: number): TelemetryMessage {
    const device = this.devices.get(deviceId);
    if (!device) throw new Error(`unknown device ${deviceId}`);
    if (this.badSelector.next()) {
      return {
        deviceId,
        payload: invalidTelemetryPayload(deviceId, now, this.random),
        readings: 0,
        invalid: true,
      };
    }
    const readings = device.nextBatch(this.options.batch, now, this.options.periodMs);
    const payload = JSON.stringify(this.options.batch === 1 ? readings[0] : readings);
    return { deviceId, payload, readings: readings.length, invalid: false };
  }
}
