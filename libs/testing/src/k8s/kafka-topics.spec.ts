import { TOPIC_SETTINGS } from '@streamline/contracts';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  REPO_ROOT,
  TOPIC_FILES,
  kafkaTopicObjectName,
  renderKafkaTopics,
} from './kafka-topics-manifest';

describe('k8s KafkaTopics (generated from libs/contracts TOPIC_SETTINGS)', () => {
  it.each(TOPIC_FILES.map((t) => [t.file, t.replicationFactor] as const))(
    '%s is what `npm run k8s:topics` writes (replication factor %i)',
    (file, replicationFactor) => {
      const checkedIn = readFileSync(path.join(REPO_ROOT, file), 'utf8');
      // On failure: run `npm run k8s:topics` and commit the result.
      expect(checkedIn).toBe(renderKafkaTopics(replicationFactor));
    },
  );

  it('declares every contracts topic once, with its partitions and configs', () => {
    const documents = parseAllDocuments(renderKafkaTopics(3)).map(
      (d) =>
        d.toJS() as {
          metadata: { name: string; labels: Record<string, string> };
          spec: { topicName: string; partitions: number; replicas: number; config: object };
        },
    );
    expect(documents.map((d) => d.spec.topicName).sort()).toEqual(
      TOPIC_SETTINGS.map((s) => s.name).sort(),
    );
    for (const settings of TOPIC_SETTINGS) {
      const topic = documents.find((d) => d.spec.topicName === settings.name);
      expect(topic?.metadata.labels['strimzi.io/cluster']).toBe('streamline');
      expect(topic?.spec.partitions).toBe(settings.partitions);
      expect(topic?.spec.replicas).toBe(3);
      const config = Object.fromEntries(
        settings.configEntries
          .filter((e) => e.name !== 'min.insync.replicas')
          .map((e) => [e.name, e.value]),
      );
      expect(topic?.spec.config).toMatchObject({ ...config, 'min.insync.replicas': '2' });
    }
  });

  it('maps topic names to valid, distinct Kubernetes names', () => {
    expect(kafkaTopicObjectName('iot.telemetry.v1')).toBe('iot.telemetry.v1');
    expect(kafkaTopicObjectName('Agg_Telemetry.v1')).toBe('agg-telemetry.v1');
    expect(() => kafkaTopicObjectName('__')).toThrow(RangeError);
    const names = TOPIC_SETTINGS.map((s) => kafkaTopicObjectName(s.name));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/);
  });
});
