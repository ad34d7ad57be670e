import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ContractViolationError,
  devicePresenceContract,
  parseJson,
  validate,
  type DevicePresence,
  type KvSettings,
} from '@streamline/contracts';
import { ContractKv, type NatsConnectionHandle } from '@streamline/messaging';
import { NATS_CONNECTION } from '@streamline/nest-messaging';
import type { KV, KvEntry } from 'nats';
import type { PresenceStore } from './presence.store';

export const PRESENCE_KV_SETTINGS = Symbol('PRESENCE_KV_SETTINGS');

/** Compare-and-set attempts of a refresh that races other writers of the same device. */
const TOUCH_ATTEMPTS = 3;
/** Reads in parallel when listing every device. */
const LIST_CONCURRENCY = 16;

/**
 * Presence in a NATS KV bucket (key = deviceId, value `device-presence/1`). Status messages
 * overwrite; telemetry refreshes compare-and-set on the entry's revision, so a refresh that
 * read `online` never overwrites an `offline` written meanwhile by a Last Will.
 */
@Injectable()
export class NatsPresenceStore implements PresenceStore {
  private readonly logger = new Logger(NatsPresenceStore.name);
  private opening: Promise<ContractKv<DevicePresence>> | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnectionHandle,
    @Inject(PRESENCE_KV_SETTINGS) private readonly settings: KvSettings,
  ) {}

  async setStatus(presence: DevicePresence): Promise<void> {
    await (await this.bucket()).put(presence.deviceId, presence);
  }

  async touch(deviceId: string, seenAt: number): Promise<void> {
    const { kv } = await this.bucket();
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.touchOnce(kv, deviceId, seenAt);
        return;
      } catch (error) {
        // Another writer got in between: read again (unless this keeps happening).
        if (attempt >= TOUCH_ATTEMPTS) throw error;
      }
    }
  }

  async get(deviceId: string): Promise<DevicePresence | undefined> {
    return (await (await this.bucket()).get(deviceId))?.value;
  }

  async list(): Promise<DevicePresence[]> {
    const store = await this.bucket();
    const keys: string[] = [];
    for await (const key of await store.kv.keys()) keys.push(key);
    const found: DevicePresence[] = [];
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next++] as string;
        try {
          const entry = await store.get(key);
          if (entry) found.push(entry.value);
        } catch (error) {
          if (!(error instanceof ContractViolationError)) throw error;
          this.logger.warn({ key, err: error }, 'presence entry breaks its contract; skipped');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, keys.length) }, worker));
    return found.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  }

  private async touchOnce(kv: KV, deviceId: string, seenAt: number): Promise<void> {
    const entry = await kv.get(deviceId);
    if (!live(entry)) {
      await kv.create(deviceId, encode({ deviceId, status: 'online', lastSeen: seenAt }));
      return;
    }
    const current = parseJson(devicePresenceContract, entry.value);
    // A broken entry is replaced; a device that sends telemetry is online.
    const base: DevicePresence = current.ok
      ? current.value
      : { deviceId, status: 'online', lastSeen: seenAt };
    if (current.ok && base.lastSeen >= seenAt) return;
    await kv.update(deviceId, encode({ ...base, lastSeen: seenAt }), entry.revision);
  }

  /** Opens (and provisions) the bucket once NATS answers; a failed open is tried again next time. */
  private bucket(): Promise<ContractKv<DevicePresence>> {
    this.opening ??= (async () => {
      const nc = await this.nats.get();
      const { store } = await ContractKv.open(nc, this.settings, devicePresenceContract);
      return store;
    })().catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }
}

function live(entry: KvEntry | null): entry is KvEntry {
  return entry !== null && entry.operation === 'PUT';
}

function encode(presence: DevicePresence): string {
  const result = validate(devicePresenceContract, presence);
  if (!result.ok) throw new ContractViolationError(devicePresenceContract.schemaId, result.issues);
  return JSON.stringify(result.value);
}
