import type { Consumer, Kafka } from 'kafkajs';

/**
 * Every record of some topics since their beginning, kept in memory for the checks to search:
 * one consumer (its own group) for the whole run, so no check misses a record that arrived
 * before it started looking.
 */
export class RecordLog {
  private readonly consumer: Consumer;
  private readonly raw = new Map<string, string[]>();

  constructor(
    kafka: Kafka,
    groupId: string,
    private readonly topics: readonly string[],
  ) {
    this.consumer = kafka.consumer({ groupId, readUncommitted: false });
    for (const topic of topics) this.raw.set(topic, []);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        this.raw.get(topic)?.push(message.value?.toString('utf8') ?? '');
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  /** The values of `topic` as text (a tombstone is ''). */
  rawOn(topic: string): readonly string[] {
    return this.raw.get(topic) ?? [];
  }

  /** The values of `topic` that are JSON objects. */
  valuesOn(topic: string): Record<string, unknown>[] {
    const values: Record<string, unknown>[] = [];
    for (const text of this.rawOn(topic)) {
      const value = parseObject(text);
      if (value !== undefined) values.push(value);
    }
    return values;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined; // not JSON (a dead letter's original bytes): only rawOn shows it
  }
}
