import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '../../../..');
const K8S_DIR = path.join(ROOT, 'k8s');

/** The services and HTTP ports of ARCHITECTURE.md ("Services"). */
const APP_PORTS: Readonly<Record<string, number>> = {
  'iot-ingestor': 3001,
  'event-producer': 3002,
  aggregator: 3003,
  'dlq-handler': 3004,
  'cdc-sink': 3005,
};
const APPS = Object.keys(APP_PORTS);
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];

interface HttpProbe {
  httpGet?: { path?: string; port?: number | string };
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath?: string }; configMapKeyRef?: { name?: string } };
}

interface Container {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  env?: EnvVar[];
  envFrom?: Array<{
    configMapRef?: { name?: string };
    secretRef?: { name?: string; optional?: boolean };
  }>;
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  startupProbe?: HttpProbe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean };
}

interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    /** A workload's `{ matchLabels }` or a Service's label map. */
    selector?: Record<string, unknown>;
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: PodSpec;
    };
    ports?: Array<{ name?: string; port: number; targetPort?: number | string }>;
  };
  /** Where the object came from, for messages. */
  source: string;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return yamlFiles(full);
      return /\.ya?ml$/.test(entry) ? [full] : [];
    })
    .sort();
}

/** Every YAML document under k8s/ (multi-document files included), kustomization aside. */
function loadManifests(): { objects: K8sObject[]; kustomization: Record<string, unknown> } {
  const objects: K8sObject[] = [];
  let kustomization: Record<string, unknown> | undefined;
  for (const file of yamlFiles(K8S_DIR)) {
    const relative = path.relative(ROOT, file);
    parseAllDocuments(readFileSync(file, 'utf8')).forEach((document, index) => {
      if (document.errors.length > 0) {
        const errors = document.errors.map((e) => e.message);
        throw new Error(`${relative} document ${index}: invalid YAML: ${errors.join('; ')}`);
      }
      const value: unknown = document.toJS();
      if (value === null || value === undefined) return; // an empty document (e.g. after ---)
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(`${relative} document ${index} is not a map`);
      }
      const object = value as Record<string, unknown>;
      if (object['kind'] === 'Kustomization') {
        kustomization = object;
        return;
      }
      for (const key of ['apiVersion', 'kind', 'metadata']) {
        if (!(key in object)) throw new Error(`${relative} document ${index} has no ${key}`);
      }
      objects.push({ ...(object as unknown as K8sObject), source: `${relative}#${index}` });
    });
  }
  if (kustomization === undefined) throw new Error('no k8s/kustomization.yaml');
  return { objects, kustomization };
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** A probe's port resolved to a number through the container's named ports. */
function probePort(container: Container, probe: HttpProbe | undefined): number | undefined {
  const port = probe?.httpGet?.port;
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

describe('k8s manifests', () => {
  const { objects, kustomization } = loadManifests();
  const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
  const services = objects.filter((o) => o.kind === 'Service');
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap');

  const workloadOf = (app: string) => {
    const found = workloads.filter((w) => w.metadata.name === app);
    expect({ app, workloads: found.length }).toEqual({ app, workloads: 1 });
    return found[0];
  };
  const containerOf = (workload: K8sObject) => {
    const containers = workload.spec?.template?.spec.containers ?? [];
    expect(containers).toHaveLength(1);
    return containers[0];
  };

  it('parse, and kustomization.yaml lists every manifest file', () => {
    expect(objects.length).toBeGreaterThan(0);
    const files = yamlFiles(K8S_DIR)
      .map((file) => path.relative(K8S_DIR, file))
      .filter((file) => !/^kustomization\.ya?ml$/.test(file));
    expect([...(kustomization['resources'] as string[])].sort()).toEqual(files.sort());
    expect(kustomization['namespace']).toBe('streamline');
  });

  it('put everything in the streamline namespace', () => {
    const namespace = objects.find((o) => o.kind === 'Namespace');
    expect(namespace?.metadata.name).toBe('streamline');
    for (const object of objects) {
      if (object.kind !== 'Namespace') {
        expect({ source: object.source, namespace: object.metadata.namespace }).toEqual({
          source: object.source,
          namespace: 'streamline',
        });
      }
    }
  });

  it('have one workload and one Service per service, nothing else', () => {
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual([...APPS].sort());
    expect(services.map((s) => s.metadata.name).sort()).toEqual([...APPS].sort());
  });

  it.each(APPS)('%s: readiness on /health/ready and liveness on /health/live', (app) => {
    const container = containerOf(workloadOf(app));
    expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(probePort(container, container.readinessProbe)).toBe(APP_PORTS[app]);
    expect(probePort(container, container.livenessProbe)).toBe(APP_PORTS[app]);
    if (container.startupProbe !== undefined) {
      expect(container.startupProbe.httpGet?.path).toBe('/health/live');
    }
  });

  it.each(APPS)("%s: a container port matches its Service's targetPort", (app) => {
    const workload = workloadOf(app);
    const container = containerOf(workload);
    const podLabels = workload.spec?.template?.metadata?.labels ?? {};
    const matchLabels = (workload.spec?.selector?.['matchLabels'] ?? {}) as Record<string, string>;
    expect(Object.keys(matchLabels).length).toBeGreaterThan(0);
    expect(selects(matchLabels, podLabels)).toBe(true);

    const service = services.find((s) => s.metadata.name === app);
    expect(service).toBeDefined();
    const selector = (service!.spec?.selector ?? {}) as Record<string, string>;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(selects(selector, podLabels)).toBe(true);
    // The Service must select this workload's pods only.
    for (const other of workloads.filter((w) => w !== workload)) {
      expect(selects(selector, other.spec?.template?.metadata?.labels ?? {})).toBe(false);
    }

    const servicePorts = service!.spec?.ports ?? [];
    expect(servicePorts.length).toBeGreaterThan(0);
    for (const port of servicePorts) {
      const target = port.targetPort ?? port.port;
      const match = (container.ports ?? []).find((p) =>
        typeof target === 'number' ? p.containerPort === target : p.name === target,
      );
      expect({ app, target, matched: match !== undefined }).toEqual({ app, target, matched: true });
      expect(match?.containerPort).toBe(APP_PORTS[app]);
    }
    expect(servicePorts.map((p) => p.port)).toContain(APP_PORTS[app]);
  });

  it.each(APPS)('%s: PORT env, shutdown, resources, non-root, metrics annotations', (app) => {
    const workload = workloadOf(app);
    const pod = workload.spec!.template!;
    const container = containerOf(workload);
    expect(container.env?.find((e) => e.name === 'PORT')?.value).toBe(String(APP_PORTS[app]));
    expect(pod.spec.terminationGracePeriodSeconds).toBe(15);
    expect(pod.spec.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.spec.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container.resources?.requests).toEqual(
      expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
    );
    expect(container.resources?.limits).toEqual(
      expect.objectContaining({ memory: expect.any(String) }),
    );
    expect(pod.metadata?.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(APP_PORTS[app]),
      'prometheus.io/path': '/metrics',
    });
    expect(container.image).toMatch(new RegExp(`^streamline/${app}:`));
  });

  it.each(APPS)('%s: reads the shared ConfigMap, which exists', (app) => {
    const container = containerOf(workloadOf(app));
    const names = (container.envFrom ?? []).map((source) => source.configMapRef?.name);
    expect(names).toContain('streamline-config');
    expect(configMaps.map((c) => c.metadata.name)).toContain('streamline-config');
    for (const source of container.envFrom ?? []) {
      if (source.secretRef !== undefined) expect(source.secretRef.optional).toBe(true);
    }
  });

  it('hold the broker and database URLs of the in-cluster Services in the ConfigMap', () => {
    const config = configMaps.find((c) => c.metadata.name === 'streamline-config');
    expect(config?.data).toMatchObject({
      KAFKA_BROKERS: 'kafka:9092',
      NATS_URL: 'nats://nats:4222',
      MQTT_URL: 'mqtt://mosquitto:1883',
      DATABASE_URL: 'postgres://postgres@postgres:5432/streamline',
      NODE_ENV: 'production',
    });
    for (const value of Object.values(config?.data ?? {})) expect(typeof value).toBe('string');
  });

  it('give each iot-ingestor pod a stable MQTT client id: its pod name, in a StatefulSet', () => {
    const workload = workloadOf('iot-ingestor');
    expect(workload.kind).toBe('StatefulSet');
    const clientId = containerOf(workload).env?.find((e) => e.name === 'MQTT_CLIENT_ID');
    expect(clientId?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
  });
});
