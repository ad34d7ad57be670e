import { Inject, Injectable } from '@nestjs/common';
import { isSafeDeviceId, type DevicePresence } from '@streamline/contracts';
import {
  DependencyUnavailableError,
  RequestValidationError,
  ServiceError,
  withTimeout,
} from '@streamline/platform';
import { PRESENCE_STORE, type PresenceStore } from './presence.store';

export const PRESENCE_ERRORS = {
  NOT_FOUND: 'PRESENCE_NOT_FOUND',
  UNAVAILABLE: 'PRESENCE_UNAVAILABLE',
} as const;

/** How long an HTTP read may wait for NATS before answering 503. */
const READ_TIMEOUT_MS = 5_000;

/** Answers the presence endpoints from the KV bucket. */
@Injectable()
export class QueryPresenceUseCase {
  constructor(@Inject(PRESENCE_STORE) private readonly store: PresenceStore) {}

  /** The presence of one device; PRESENCE_NOT_FOUND when it was never heard of. */
  async get(deviceId: string): Promise<DevicePresence> {
    if (!isSafeDeviceId(deviceId)) {
      throw new RequestValidationError([
        { path: 'id', reason: 'not a device id (1-128 of A-Z, a-z, 0-9, "_", "-")' },
      ]);
    }
    const presence = await this.read(() => this.store.get(deviceId));
    if (!presence) {
      throw new ServiceError(PRESENCE_ERRORS.NOT_FOUND, `no presence known for device ${deviceId}`);
    }
    return presence;
  }

  /** Every known device, in id order; only the online (or offline) ones when `online` is given. */
  async list(online?: boolean): Promise<DevicePresence[]> {
    const all = await this.read(() => this.store.list());
    if (online === undefined) return all;
    return all.filter((p) => (p.status === 'online') === online);
  }

  private async read<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(work(), READ_TIMEOUT_MS, 'NATS did not answer');
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      throw new DependencyUnavailableError(
        PRESENCE_ERRORS.UNAVAILABLE,
        `device presence cannot be read now: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}
