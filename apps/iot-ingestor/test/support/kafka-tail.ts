import { createKafka, headersToStrings, silentLogger } from '@streamline/messaging';
import { uniqueName, waitFor } from '@streamline/testing';
import type { Consumer } from 'kafkajs';

/** One record as read back from Kafka. */
export interface TailedRecord {
  topic: string;
  partition: number;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

/** Reads topics from their beginning in the background and keeps every record. */
export class KafkaTail {
  readonly records: TailedRecord[] = [];
  private readonly seqSets = new Map<string, { parsed: number; seqs: Set<number> }>();
  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: string[], topics: string[]): Promise<KafkaTail> {
    const kafka = createKafka({ brokers, clientId: uniqueName('it-tail'), logger: silentLogger });
    const consumer = kafka.consumer({ groupId: uniqueName('it-tail'), maxWaitTimeInMs: 100 });
    const tail = new KafkaTail(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        tail.records.push({
          topic,
          partition,
          key: message.key?.toString() ?? null,
          value: message.value ?? Buffer.alloc(0),
          headers: headersToStrings(message.headers),
          timestamp: Number(message.timestamp),
        });
      },
    });
    return tail;
  }

  /** The distinct `seq`s on `topic` so far (parsed once per record: tests tail tens of thousands). */
  seqs(topic: string): ReadonlySet<number> {
    let seen = this.seqSets.get(topic);
    if (!seen) {
      seen = { parsed: 0, seqs: new Set() };
      this.seqSets.set(topic, seen);
    }
    for (; seen.parsed < this.records.length; seen.parsed++) {
      const record = this.records[seen.parsed] as TailedRecord;
      if (record.topic !== topic) continue;
      const { seq } = JSON.parse(record.value.toString()) as { seq?: unknown };
      if (typeof seq === 'number') seen.seqs.add(seq);
    }
    return seen.seqs;
  }

  /**
   * Waits until every one of `seqs` is on `topic`; resolves with those still missing (none: a
   * timeout throws, naming `what`).
   */
  async waitForSeqs(
    topic: string,
    seqs: readonly number[],
    options: { timeoutMs: number; intervalMs?: number; what: string },
  ): Promise<number[]> {
    return waitFor(() => {
      const seen = this.seqs(topic);
      const lost = seqs.filter((seq) => !seen.has(seq));
      return lost.length === 0 ? lost : undefined;
    }, options);
  }

  of(topic: string): TailedRecord[] {
    return this.records.filter((r) => r.topic === topic);
  }

  /** Waits until `topic` holds at least `count` records. */
  async waitFor(topic: string, count: number, timeoutMs = 30_000): Promise<TailedRecord[]> {
    return waitFor(() => (this.of(topic).length >= count ? this.of(topic) : undefined), {
      timeoutMs,
      what: `${count} records on ${topic} (have ${this.of(topic).length})`,
    });
  }

  /** Waits until `topic` holds at least `count` records with key `key`. */
  async waitForKey(
    topic: string,
    key: string,
    count: number,
    timeoutMs = 30_000,
  ): Promise<TailedRecord[]> {
    const matching = () => this.of(topic).filter((r) => r.key === key);
    return waitFor(() => (matching().length >= count ? matching() : undefined), {
      timeoutMs,
      what: `${count} records of ${key} on ${topic} (have ${matching().length})`,
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** The `seq` of each telemetry record of `records`, as numbers. */
export function seqsOf(records: TailedRecord[]): number[] {
  return records.map((r) => (JSON.parse(r.value.toString()) as { seq: number }).seq);
}
