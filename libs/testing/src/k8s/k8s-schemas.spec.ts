import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { OVERLAYS, buildOverlay, kustomizeBuild, type K8sObject } from './kustomize-build';

interface Result {
  apiVersion: string;
  kind: string;
  name: string;
  error: string | null;
}

/** Validates objects in a child process (validate-objects.mjs: the models are ES modules). */
function validate(objects: readonly K8sObject[]): Result[] {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'validate-objects.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output) as Result[];
}

/**
 * Every object validates against the JSON schema of its kind: the Kubernetes 1.34 OpenAPI
 * (kubernetes-models 5.1.0), Strimzi 1.0.0's CRDs (@kubernetes-models/strimzi-kafka-operator
 * 1.0.1), KEDA's CRDs (@kubernetes-models/keda 2.0.0).
 */
describe('k8s schemas', () => {
  jest.setTimeout(120_000);

  it.each(OVERLAYS)('overlay %s: every object validates against its schema', (overlay) => {
    const objects = buildOverlay(overlay);
    const results = validate(objects);
    expect(results).toHaveLength(objects.length);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
    const kinds = new Set(results.map((r) => r.kind));
    for (const kind of ['StatefulSet', 'Deployment', 'NetworkPolicy', 'Kafka', 'KafkaNodePool']) {
      expect(kinds).toContain(kind);
    }
    for (const kind of ['KafkaTopic', 'KafkaConnect', 'KafkaConnector'])
      expect(kinds).toContain(kind);
    if (overlay === 'prod') {
      for (const kind of ['ScaledObject', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
        expect(kinds).toContain(kind);
      }
    }
  });

  it('the base builds too (what both overlays share)', () => {
    expect(validate(kustomizeBuild('k8s/base')).filter((r) => r.error !== null)).toEqual([]);
  });

  it('reports type errors, missing required fields, wrong enums and unknown kinds', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: {
        replicas: 'two',
        selector: { matchLabels: { a: 'b' } },
        template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 'http' }] }] } },
      },
    };
    const topic = {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: { name: 't' },
      spec: { partitions: 'six' },
    };
    const pool = {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaNodePool',
      metadata: { name: 'p' },
      spec: { replicas: 1, roles: ['leader'], storage: { type: 'ephemeral' } },
    };
    const scaled = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 's' },
      spec: { triggers: [] },
    };
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const results = validate([deployment, topic, pool, scaled, unknown] as unknown as K8sObject[]);
    expect(results.map((r) => r.error)).toEqual([
      expect.stringMatching(/spec\/replicas must be integer.*containerPort must be integer/),
      expect.stringMatching(/spec\/partitions must be integer/),
      expect.stringMatching(/spec\/roles\/0 must be equal to one of the allowed values/),
      expect.stringMatching(/must have required property scaleTargetRef/),
      'no schema for example.com/v1 Widget',
    ]);
  });
});
