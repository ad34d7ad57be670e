import type { DevicePresence } from '@streamline/contracts';

/** Where device presence lives (NATS KV `device-presence`); a port so use cases test without NATS. */
export interface PresenceStore {
  /** Stores a status message's presence as it is: the device's own word wins. */
  setStatus(presence: DevicePresence): Promise<void>;
  /** Moves `lastSeen` forward (never back), keeping the status; a new device starts `online`. */
  touch(deviceId: string, seenAt: number): Promise<void>;
  get(deviceId: string): Promise<DevicePresence | undefined>;
  list(): Promise<DevicePresence[]>;
}

export const PRESENCE_STORE = Symbol('PRESENCE_STORE');
