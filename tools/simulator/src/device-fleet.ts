import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { SimulatorCounters } from './simulator-stats';
import { statusTopic, telemetryTopic } from './telemetry-generator';

export interface DeviceStatus {
  deviceId: string;
  status: 'online' | 'offline';
  ts?: string;
}

/** The last will: what the broker publishes (retained) when a device vanishes without a clean disconnect. */
export function lastWill(deviceId: string): NonNullable<IClientOptions['will']> {
  const payload: DeviceStatus = { deviceId, status: 'offline' };
  return {
    topic: statusTopic(deviceId),
    payload: Buffer.from(JSON.stringify(payload)),
    qos: 1,
    retain: true,
  };
}

/** The MQTT 5 client options of one simulated device: its own client id and last will. */
export function deviceClientOptions(deviceId: string): IClientOptions {
  return {
    clientId: `sim-${deviceId}`,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 1_000,
    connectTimeout: 5_000,
    keepalive: 30,
    will: lastWill(deviceId),
  };
}

export interface DeviceFleetOptions {
  mqttUrl: string;
  deviceIds: readonly string[];
  counters: SimulatorCounters;
  /** Unacknowledged messages per device at most; beyond that readings are skipped, not queued. */
  maxInFlightPerDevice?: number;
  onLog?: (message: string) => void;
}

interface Device {
  deviceId: string;
  client: MqttClient;
  inFlight: number;
  /** Resolves once the device is connected and its online status was acknowledged. */
  online: Promise<void>;
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

/**
 * One MQTT client per simulated device, so each has its own last will: offline status
 * retained on `sensors/<deviceId>/status` if the connection dies, online status
 * (retained) published on every connect, offline published on a clean stop.
 */
export class DeviceFleet {
  private readonly devices = new Map<string, Device>();
  private readonly maxInFlight: number;
  private lastProblem: string | undefined;

  constructor(private readonly options: DeviceFleetOptions) {
    this.maxInFlight = options.maxInFlightPerDevice ?? 200;
    for (const deviceId of options.deviceIds) this.devices.set(deviceId, this.connect(deviceId));
  }

  /** Waits until every device is online, or `timeoutMs`; returns how many are connected. */
  async waitUntilOnline(timeoutMs: number): Promise<number> {
    await settlesWithin(
      Promise.all([...this.devices.values()].map((device) => device.online)),
      timeoutMs,
    );
    return [...this.devices.values()].filter((device) => device.client.connected).length;
  }

  /** Whether a message for `deviceId` would be sent now (connected and not too far behind). */
  canPublish(deviceId: string): boolean {
    const device = this.devices.get(deviceId);
    return device !== undefined && device.client.connected && device.inFlight < this.maxInFlight;
  }

  /** Publishes a telemetry payload at QoS 1; counts it when the PUBACK arrives. */
  publishTelemetry(deviceId: string, payload: string, readings: number, invalid: boolean): void {
    const device = this.devices.get(deviceId);
    if (!device) throw new Error(`unknown device ${deviceId}`);
    const counters = this.options.counters;
    device.inFlight += 1;
    device.client.publish(telemetryTopic(deviceId), payload, { qos: 1 }, (error) => {
      device.inFlight -= 1;
      if (error) {
        counters.mqttErrors += 1;
        this.problem(`telemetry publish failed: ${error.message}`);
      } else if (invalid) counters.invalidPublished += 1;
      else counters.readingsPublished += readings;
    });
  }

  /**
   * Clean shutdown: for each connected device, a retained offline status (after its
   * telemetry, so the acknowledgements are counted first), then a normal DISCONNECT,
   * which tells the broker not to send the last will.
   */
  async stop(timeoutMs = 5_000): Promise<void> {
    await Promise.all(
      [...this.devices.values()].map(async (device) => {
        const { client, deviceId } = device;
        if (client.connected) {
          const status: DeviceStatus = {
            deviceId,
            status: 'offline',
            ts: new Date().toISOString(),
          };
          const published = client.publishAsync(statusTopic(deviceId), JSON.stringify(status), {
            qos: 1,
            retain: true,
          });
          if (!(await settlesWithin(published, timeoutMs))) {
            this.options.counters.mqttErrors += 1;
            this.problem(`offline status for ${deviceId} was not acknowledged`);
          }
        }
        const ended = client.connected ? client.endAsync(false) : client.endAsync(true);
        if (!(await settlesWithin(ended, timeoutMs))) await client.endAsync(true);
      }),
    );
  }

  private connect(deviceId: string): Device {
    const client = mqtt.connect(this.options.mqttUrl, deviceClientOptions(deviceId));
    const counters = this.options.counters;
    let markOnline: () => void = () => undefined;
    const device: Device = {
      deviceId,
      client,
      inFlight: 0,
      online: new Promise<void>((resolve) => (markOnline = resolve)),
    };
    client.on('connect', () => {
      if (this.lastProblem !== undefined)
        this.options.onLog?.(`MQTT ${this.options.mqttUrl}: ${deviceId} connected`);
      this.lastProblem = undefined;
      const status: DeviceStatus = { deviceId, status: 'online', ts: new Date().toISOString() };
      client.publish(
        statusTopic(deviceId),
        JSON.stringify(status),
        { qos: 1, retain: true },
        (error) => {
          if (error) {
            counters.mqttErrors += 1;
            this.problem(`online status publish failed: ${error.message}`);
          } else markOnline();
        },
      );
    });
    client.on('error', (error) => {
      counters.mqttErrors += 1;
      this.problem(`MQTT ${this.options.mqttUrl}: ${error.message}`);
    });
    client.on('offline', () =>
      this.problem(`MQTT ${this.options.mqttUrl}: devices offline, reconnecting`),
    );
    return device;
  }

  /** Logs a problem when it first shows up, not once per device and retry. */
  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.options.onLog?.(message);
  }
}
