import { CONSUMER_GROUPS, TOPIC_SETTINGS } from '@streamline/contracts';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './kafka-topics-manifest';
import { buildOverlay, findObject, objectsOfKind, type K8sObject } from './kustomize-build';
import { SERVICES } from './service-config-schemas';

interface KafkaTrigger {
  type: string;
  metadata: Record<string, string>;
}

const dev = buildOverlay('dev');
const prod = buildOverlay('prod');

const brokerNodes = (objects: K8sObject[]) =>
  objectsOfKind(objects, 'KafkaNodePool')
    .filter((p) => (p.spec?.['roles'] as string[]).includes('broker'))
    .reduce((sum, p) => sum + (p.spec?.['replicas'] as number), 0);

describe('k8s Kafka (Strimzi)', () => {
  it.each([
    ['dev', dev],
    ['prod', prod],
  ] as const)('%s: KRaft node pools of cluster streamline, topics it can place', (_, objects) => {
    findObject(objects, 'Kafka', 'streamline', 'streamline-kafka');
    const pools = objectsOfKind(objects, 'KafkaNodePool');
    for (const pool of pools) {
      expect(pool.metadata.labels?.['strimzi.io/cluster']).toBe('streamline');
    }
    const roles = pools.flatMap((p) => p.spec?.['roles'] as string[]);
    expect(roles).toEqual(expect.arrayContaining(['controller', 'broker']));
    const brokers = brokerNodes(objects);
    const topics = objectsOfKind(objects, 'KafkaTopic');
    expect(topics).toHaveLength(TOPIC_SETTINGS.length);
    for (const topic of topics) {
      const replicas = topic.spec?.['replicas'] as number;
      const minIsr = Number(
        (topic.spec?.['config'] as Record<string, string>)['min.insync.replicas'],
      );
      expect(topic.metadata.labels?.['strimzi.io/cluster']).toBe('streamline');
      expect(replicas).toBeLessThanOrEqual(brokers);
      // acks=all keeps working with one replica down (or, with a single node, needs just it).
      expect(minIsr).toBeLessThanOrEqual(Math.max(1, replicas - 1));
    }
    // Nothing is created by accident (a producer's typo).
    const kafka = findObject(objects, 'Kafka', 'streamline');
    const config = (kafka.spec?.['kafka'] as { config: Record<string, unknown> }).config;
    expect(config['auto.create.topics.enable']).toBe(false);
    expect(Number(config['default.replication.factor'])).toBeLessThanOrEqual(brokers);
    expect(Number(config['transaction.state.log.min.isr'])).toBeLessThanOrEqual(
      Number(config['transaction.state.log.replication.factor']),
    );
  });

  it('Kafka Connect builds Debezium PostgreSQL 3.6.1.Final from Maven Central', () => {
    const connect = findObject(prod, 'KafkaConnect', 'streamline-connect', 'streamline-kafka');
    expect(connect.metadata.annotations?.['strimzi.io/use-connector-resources']).toBe('true');
    const build = connect.spec?.['build'] as {
      output: { image: string };
      plugins: Array<{ artifacts: Array<Record<string, string>> }>;
    };
    expect(build.plugins.flatMap((p) => p.artifacts)).toEqual([
      {
        type: 'maven',
        group: 'io.debezium',
        artifact: 'debezium-connector-postgres',
        version: '3.6.1.Final',
      },
    ]);
    expect(connect.spec?.['bootstrapServers']).toBe('streamline-kafka-bootstrap:9092');
  });

  it('the Debezium connector captures registry.devices only, to cdc.registry.devices, as plain JSON', () => {
    const connector = findObject(prod, 'KafkaConnector', 'registry-devices');
    expect(connector.metadata.labels?.['strimzi.io/cluster']).toBe('streamline-connect');
    const config = connector.spec?.['config'] as Record<string, unknown>;
    expect(connector.spec?.['class']).toBe('io.debezium.connector.postgresql.PostgresConnector');
    expect(config).toMatchObject({
      'plugin.name': 'pgoutput',
      'topic.prefix': 'cdc',
      'table.include.list': 'registry.devices',
      'publication.autocreate.mode': 'filtered',
      'database.dbname': 'streamline',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': false,
      'key.converter.schemas.enable': false,
      'topic.creation.default.cleanup.policy': 'compact',
    });
    expect(config['slot.name']).toMatch(/^streamline/);
    expect(config['publication.name']).toMatch(/^streamline/);
    // Debezium's topic name: <topic.prefix>.<schema>.<table> (ARCHITECTURE.md).
    expect(`${config['topic.prefix']}.${config['table.include.list']}`).toBe(
      'cdc.registry.devices',
    );
    // The password comes from the container's environment (a Secret), never from git.
    expect(config['database.password']).toBe('${env:POSTGRES_PASSWORD}');
  });

  it('the connector has the settings of docker/connect/registry-devices.json (compose, infra)', () => {
    const shared = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'docker/connect/registry-devices.json'), 'utf8'),
    ) as Record<string, string>;
    const connector = findObject(prod, 'KafkaConnector', 'registry-devices');
    const config = Object.fromEntries(
      Object.entries(connector.spec?.['config'] as Record<string, unknown>).map(([k, v]) => [
        k,
        String(v),
      ]),
    );
    // Where Kubernetes differs on purpose: the Service name, the brokers' default replication
    // factor (-1), and the WAL heartbeat that infra/connect/connect.sh also adds.
    const differs: Record<string, string> = {
      'database.hostname': 'postgres.streamline.svc',
      'topic.creation.default.replication.factor': '-1',
    };
    const heartbeat = [
      'heartbeat.interval.ms',
      'heartbeat.action.query',
      'message.prefix.exclude.list',
    ];
    expect(connector.spec?.['class']).toBe(shared['connector.class']);
    expect(String(connector.spec?.['tasksMax'])).toBe(shared['tasks.max']);
    const { ['connector.class']: _class, ['tasks.max']: _tasks, ...rest } = shared;
    expect(
      Object.fromEntries(Object.entries(config).filter(([k]) => !heartbeat.includes(k))),
    ).toEqual({
      ...rest,
      ...differs,
    });
    expect(config['heartbeat.action.query']).toMatch(/pg_logical_emit_message/);
  });
});

describe('k8s autoscaling (prod)', () => {
  const scaled = objectsOfKind(prod, 'ScaledObject');
  const triggersOf = (service: string) =>
    (scaled.find((s) => s.metadata.name === service)?.spec?.['triggers'] ?? []) as KafkaTrigger[];
  const commonConfig = findObject(prod, 'ConfigMap', 'streamline-common', 'streamline');

  it('scales every Kafka consumer group of libs/contracts with KEDA on its lag', () => {
    for (const group of Object.values(CONSUMER_GROUPS)) {
      // A group belongs to the service its name starts with (aggregator.v1, dlq-handler.*).
      const service = SERVICES.find((s) => group.startsWith(`${s}.`));
      expect([group, service]).toEqual([group, expect.any(String)]);
      const triggers = triggersOf(service as string).filter(
        (t) => t.type === 'kafka' && t.metadata['consumerGroup'] === group,
      );
      expect([group, triggers.length]).toEqual([group, 1]);
      expect(triggers[0]?.metadata['bootstrapServers']).toBe(commonConfig.data?.['KAFKA_BROKERS']);
      expect(Number(triggers[0]?.metadata['lagThreshold'])).toBeGreaterThan(0);
    }
  });

  it('targets the consumers Deployments, never below two or above their partitions', () => {
    const maxPartitions = Math.max(...TOPIC_SETTINGS.map((s) => s.partitions));
    expect(scaled.map((s) => s.metadata.name).sort()).toEqual([
      'aggregator',
      'cdc-sink',
      'dlq-handler',
    ]);
    for (const object of scaled) {
      const spec = object.spec as {
        scaleTargetRef: { kind?: string; name: string };
        minReplicaCount: number;
        maxReplicaCount: number;
      };
      expect(spec.scaleTargetRef.name).toBe(object.metadata.name);
      findObject(prod, spec.scaleTargetRef.kind ?? 'Deployment', spec.scaleTargetRef.name);
      expect(spec.minReplicaCount).toBeGreaterThanOrEqual(2);
      expect(spec.maxReplicaCount).toBeLessThanOrEqual(maxPartitions);
    }
  });

  it('scales event-producer on CPU with an autoscaling/v2 HPA', () => {
    const hpa = findObject(prod, 'HorizontalPodAutoscaler', 'event-producer', 'streamline');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec?.['scaleTargetRef']).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'event-producer',
    });
    expect(hpa.spec?.['metrics']).toEqual([
      expect.objectContaining({
        type: 'Resource',
        resource: expect.objectContaining({ name: 'cpu' }),
      }),
    ]);
  });

  it('dev has no autoscaler: one replica each', () => {
    expect(objectsOfKind(dev, 'ScaledObject')).toEqual([]);
    expect(objectsOfKind(dev, 'HorizontalPodAutoscaler')).toEqual([]);
  });
});
