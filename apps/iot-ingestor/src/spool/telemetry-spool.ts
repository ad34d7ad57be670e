import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';

/** One record waiting for Kafka, as stored: already encoded, plus where it came from. */
export interface SpooledRecord {
  topic: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** The MQTT topic it came on (a dead letter names it if Kafka refuses the record). */
  mqttTopic: string;
  /** Epoch ms the ingestor received it. */
  receivedAt: number;
  /** A reading's event time (`ts`), for the ingest-lag metric; absent on dead letters. */
  eventTs?: number;
}

export interface SpoolLimits {
  maxBytes: number;
  maxRecords: number;
}

/** A stored record with its place in the spool (ascending = arrival order). */
export interface SpoolEntry {
  id: number;
  record: SpooledRecord;
}

function sizeOf(record: SpooledRecord): number {
  let bytes = record.value.length + (record.key?.length ?? 0) + record.topic.length + 64;
  for (const [name, value] of Object.entries(record.headers)) bytes += name.length + value.length;
  return bytes;
}

/**
 * The ingestor's write-ahead spool: an LMDB database (lmdb-js) of records keyed by an
 * ascending id. `append` resolves once the records are durable: lmdb-js batches the writes of
 * all concurrent callers into one transaction, committed with fsync (group commit), so a burst
 * of MQTT messages costs one fsync, not one each. `remove` deletes what Kafka acknowledged.
 * Bounded by bytes and records: `append` waits while the spool is full (the MQTT acks wait, the
 * broker queues, the devices' QoS 1 retries take over); nothing is ever dropped. After a crash
 * `open` finds every record not yet removed, in order.
 */
export class TelemetrySpool {
  private nextId: number;
  private records = 0;
  private bytes = 0;
  private readonly sizes = new Map<number, number>();
  private waiters: Array<() => void> = [];
  private appendedListeners: Array<() => void> = [];

  private constructor(
    private readonly root: RootDatabase,
    private readonly db: Database<SpooledRecord, number>,
    readonly limits: SpoolLimits,
  ) {
    let last = 0;
    for (const { key, value } of db.getRange()) {
      this.sizes.set(key, sizeOf(value));
      this.records += 1;
      this.bytes += sizeOf(value);
      last = key;
    }
    this.nextId = last + 1;
  }

  /** Opens (or creates) the spool in `dir` and counts what a previous run left in it. */
  static open(dir: string, limits: SpoolLimits): TelemetrySpool {
    mkdirSync(dir, { recursive: true });
    // overlappingSync off: a write's promise resolves only after its transaction is fsync'd.
    const root = open({ path: dir, overlappingSync: false, noSync: false, compression: false });
    const db = root.openDB<SpooledRecord, number>({ name: 'records' });
    return new TelemetrySpool(root, db, limits);
  }

  /** Records stored and not yet removed. */
  get depth(): number {
    return this.records;
  }

  /** Their approximate size in bytes. */
  get size(): number {
    return this.bytes;
  }

  /** Receive time of the oldest record still stored, if any. */
  oldestReceivedAt(): number | undefined {
    for (const { value } of this.db.getRange({ limit: 1 })) return value.receivedAt;
    return undefined;
  }

  /** Whether the spool holds as much as its limits allow. */
  isFull(): boolean {
    return this.records >= this.limits.maxRecords || this.bytes >= this.limits.maxBytes;
  }

  /** Whether `count` more records of `bytes` would exceed a limit (one alone always fits). */
  private wouldOverflow(count: number, bytes: number): boolean {
    if (this.records === 0) return false;
    return (
      this.records + count > this.limits.maxRecords || this.bytes + bytes > this.limits.maxBytes
    );
  }

  /**
   * Stores the records durably (fsync'd) and resolves then; waits first while they would not
   * fit (until `remove` frees room or the signal aborts: then rejects, nothing stored).
   */
  async append(records: readonly SpooledRecord[], signal: AbortSignal): Promise<void> {
    const bytes = records.reduce((sum, r) => sum + sizeOf(r), 0);
    while (this.wouldOverflow(records.length, bytes)) {
      if (signal.aborted) throw new Error('spool append aborted while the spool was full');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    const writes: Array<Promise<boolean>> = [];
    for (const record of records) {
      const id = this.nextId++;
      const size = sizeOf(record);
      this.sizes.set(id, size);
      this.records += 1;
      this.bytes += size;
      writes.push(this.db.put(id, record));
    }
    await Promise.all(writes);
    for (const listener of this.appendedListeners) listener();
  }

  /** Calls `listener` after each durable append (the drainer wakes up). */
  onAppended(listener: () => void): void {
    this.appendedListeners.push(listener);
  }

  /** Up to `limit` stored records with ids above `afterId`, oldest first. */
  read(afterId: number, limit: number): SpoolEntry[] {
    const entries: SpoolEntry[] = [];
    for (const { key, value } of this.db.getRange({ start: afterId + 1, limit })) {
      entries.push({ id: key, record: value });
    }
    return entries;
  }

  /** Deletes records Kafka acknowledged, durably, and lets waiting appends in. */
  async remove(ids: readonly number[]): Promise<void> {
    await this.db.transaction(() => {
      for (const id of ids) void this.db.remove(id);
    });
    for (const id of ids) {
      const size = this.sizes.get(id);
      if (size === undefined) continue;
      this.sizes.delete(id);
      this.records -= 1;
      this.bytes -= size;
    }
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }

  async close(): Promise<void> {
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
    await this.root.close();
  }
}
