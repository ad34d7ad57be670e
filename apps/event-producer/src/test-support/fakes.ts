import type { Device, DeviceCreate, DeviceUpdate } from '@streamline/contracts';
import type { DeviceFields, DevicesRepository } from '../devices/devices.repository';
import type { EventsMetrics } from '../events/events.metrics';
import type { OutgoingRecord, PublishOutcome, RecordPublisher } from '../events/record-publisher';
import { IdempotencyService } from '../idempotency/idempotency.service';
import type {
  ClaimResult,
  IdempotencyStore,
  IdempotentRequest,
  StoredReply,
} from '../idempotency/idempotency.store';

/** Records what it was asked to publish; `outcome` decides each record's fate (default: written). */
export class FakePublisher implements RecordPublisher {
  readonly published: OutgoingRecord[] = [];
  readonly forgotten: OutgoingRecord[] = [];
  outcome: (record: OutgoingRecord, index: number) => PublishOutcome = (_record, index) => ({
    ok: true,
    delivery: { partition: 2, offset: String(100 + index), timestamp: 1_700_000_000_000 + index },
  });

  async publish(records: readonly OutgoingRecord[]): Promise<PublishOutcome[]> {
    this.published.push(...records);
    return records.map((record, index) => this.outcome(record, index));
  }

  publishAndForget(records: readonly OutgoingRecord[]): void {
    this.forgotten.push(...records);
  }
}

/** Counts what the use cases report, by result. */
export function fakeMetrics(): EventsMetrics & { counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  return {
    counts,
    count: (endpoint: string, mode: string, result: string, n: number) => {
      const key = `${endpoint}/${mode}/${result}`;
      counts[key] = (counts[key] ?? 0) + n;
    },
    observeProduce: () => undefined,
  } as unknown as EventsMetrics & { counts: Record<string, number> };
}

interface Row {
  fingerprint: string;
  state: 'in_progress' | 'completed';
  reply?: StoredReply;
}

/** The Postgres store's semantics on a map (no expiry: the tests do not wait a day). */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  readonly rows = new Map<string, Row>();

  async claim(request: IdempotentRequest): Promise<ClaimResult> {
    const id = `${request.scope}\n${request.key}`;
    const row = this.rows.get(id);
    if (row === undefined) {
      this.rows.set(id, { fingerprint: request.fingerprint, state: 'in_progress' });
      return { kind: 'claimed' };
    }
    if (row.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
    if (row.state === 'in_progress' || row.reply === undefined) return { kind: 'in-progress' };
    return { kind: 'completed', reply: row.reply };
  }

  async complete(request: IdempotentRequest, reply: StoredReply): Promise<void> {
    const row = this.rows.get(`${request.scope}\n${request.key}`);
    if (row !== undefined)
      Object.assign(row, { state: 'completed', reply: structuredClone(reply) });
  }

  async release(request: IdempotentRequest): Promise<void> {
    this.rows.delete(`${request.scope}\n${request.key}`);
  }

  async purgeExpired(): Promise<number> {
    return 0;
  }
}

/** The real IdempotencyService over the in-memory store. */
export function idempotencyOver(store: IdempotencyStore): IdempotencyService {
  return new IdempotencyService(store, {
    IDEMPOTENCY_TTL_MS: 86_400_000,
    IDEMPOTENCY_LEASE_MS: 60_000,
  });
}

/** Devices on a sorted map, with the repository's contract. */
export class InMemoryDevicesRepository implements DevicesRepository {
  readonly rows = new Map<string, Device>();
  private clock = 1_700_000_000_000;

  async insert(device: DeviceCreate): Promise<Device | undefined> {
    if (this.rows.has(device.id)) return undefined;
    const now = this.tick();
    const stored: Device = { ...device, createdAt: now, updatedAt: now };
    this.rows.set(device.id, stored);
    return stored;
  }

  async findById(id: string): Promise<Device | undefined> {
    return this.rows.get(id);
  }

  async list(afterId: string | undefined, limit: number): Promise<Device[]> {
    return [...this.rows.values()]
      .filter((d) => afterId === undefined || d.id > afterId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }

  async replace(id: string, fields: DeviceFields): Promise<Device | undefined> {
    const current = this.rows.get(id);
    if (current === undefined) return undefined;
    const next: Device = { id, ...fields, createdAt: current.createdAt, updatedAt: this.tick() };
    this.rows.set(id, next);
    return next;
  }

  async patch(id: string, changes: DeviceUpdate): Promise<Device | undefined> {
    const current = this.rows.get(id);
    if (current === undefined) return undefined;
    const next: Device = { ...current, updatedAt: this.tick() };
    if (changes.name !== undefined) next.name = changes.name;
    if (changes.type !== undefined) next.type = changes.type;
    if (changes.location === null) delete next.location;
    else if (changes.location !== undefined) next.location = changes.location;
    if (changes.thresholds === null) delete next.thresholds;
    else if (changes.thresholds !== undefined) next.thresholds = changes.thresholds;
    this.rows.set(id, next);
    return next;
  }

  async delete(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }

  private tick(): number {
    this.clock += 1_000;
    return this.clock;
  }
}
