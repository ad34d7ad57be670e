import { PrivateKafka } from '@streamline/testing';
import type { IngestTestSpace } from './ingest-test-names';
import { PrivateMosquitto } from './private-mosquitto';

/**
 * A private Kafka (started) and a private Mosquitto (the project's config) for the suites that
 * stop, freeze or fill things: stopping the shared brokers would break the other suites. The
 * topics of the given spaces are created on it; `destroy` cleans the spaces and both brokers up.
 */
export class PrivateBrokers {
  private constructor(
    readonly kafka: PrivateKafka,
    readonly mosquitto: PrivateMosquitto,
    private readonly spaces: readonly IngestTestSpace[],
  ) {}

  static async start(...spaces: IngestTestSpace[]): Promise<PrivateBrokers> {
    const [kafka, mosquitto] = await Promise.all([PrivateKafka.create(), PrivateMosquitto.start()]);
    await kafka.start();
    // One after the other: a fresh single-node broker answers a second concurrent create with
    // "does not host this topic-partition" until the first one's metadata settled.
    for (const space of spaces) await space.createTopics(kafka.brokers);
    return new PrivateBrokers(kafka, mosquitto, spaces);
  }

  /** The ingestor's environment for `space` on these brokers. */
  env(space: IngestTestSpace, overrides: Record<string, string> = {}): Record<string, string> {
    return space.env({
      KAFKA_BROKERS: this.kafka.brokers.join(','),
      MQTT_URL: this.mosquitto.url,
      ...overrides,
    });
  }

  async destroy(): Promise<void> {
    for (const space of this.spaces) await space.cleanup(this.kafka.brokers);
    await this.kafka.destroy();
    await this.mosquitto.destroy();
  }
}
