import type { Admin, ITopicConfig } from 'kafkajs';

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor?: number;
  /** Topic configs such as `cleanup.policy` and `retention.ms`, as Kafka takes them. */
  configEntries?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

/** What `ensureTopics` did, per topic. */
export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
  /** Existing topics that had fewer partitions than declared and were grown. */
  grown: string[];
}

/**
 * Creates the declared topics that are missing and grows partition counts that are
 * too small. Idempotent: running it twice changes nothing the second time. Partitions
 * are never shrunk (Kafka cannot), and existing configs are left to operators.
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
): Promise<EnsureTopicsResult> {
  const existingNames = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existingNames.has(spec.name));
  const present = specs.filter((spec) => existingNames.has(spec.name));

  if (missing.length > 0) {
    const topics: ITopicConfig[] = missing.map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor: spec.replicationFactor ?? 1,
      configEntries: (spec.configEntries ?? []).map(({ name, value }) => ({ name, value })),
    }));
    // Another process may create the same topic concurrently; the result stays correct either way.
    await admin.createTopics({ topics, waitForLeaders: true });
  }

  const grown: string[] = [];
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
    const counts = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
    const toGrow = present.filter((spec) => (counts.get(spec.name) ?? 0) < spec.partitions);
    if (toGrow.length > 0) {
      await admin.createPartitions({
        topicPartitions: toGrow.map((spec) => ({ topic: spec.name, count: spec.partitions })),
      });
      grown.push(...toGrow.map((spec) => spec.name));
    }
  }

  return {
    created: missing.map((spec) => spec.name),
    existing: present.map((spec) => spec.name),
    grown,
  };
}
