import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './kafka-topics-manifest';
import {
  OVERLAYS,
  buildOverlay,
  findObject,
  objectsOfKind,
  type K8sObject,
  type Overlay,
} from './kustomize-build';
import {
  isWorkload,
  minReplicas,
  podLabels,
  probePort,
  selectorMatches,
  workloadSpec,
  type Container,
  type LabelSelector,
} from './k8s-objects';
import { SERVICES, SERVICE_PORTS } from './service-config-schemas';

const APP_NAMESPACE = 'streamline';
/** Brokers this repository runs itself (Kafka is Strimzi's). */
const BROKERS = ['nats', 'mosquitto', 'postgres'];

const serviceWorkload = (objects: K8sObject[], service: string) => {
  const found = objects.filter((o) => isWorkload(o) && o.metadata.name === service);
  expect({ service, workloads: found.length }).toEqual({ service, workloads: 1 });
  return found[0] as K8sObject;
};
const onlyContainer = (workload: K8sObject): Container => {
  const containers = workloadSpec(workload).template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0] as Container;
};

describe.each(OVERLAYS)('k8s overlay %s (kubectl kustomize)', (overlay: Overlay) => {
  const objects = buildOverlay(overlay);
  const appWorkloads = objects.filter(
    (o) => isWorkload(o) && o.metadata.namespace === APP_NAMESPACE,
  );

  it('builds the five services and their brokers, labelled part-of streamline', () => {
    expect(appWorkloads.map((w) => w.metadata.name).sort()).toEqual(
      [...SERVICES, ...BROKERS].sort(),
    );
    for (const object of objects) {
      expect([object.kind, object.metadata.labels?.['app.kubernetes.io/part-of']]).toEqual([
        object.kind,
        'streamline',
      ]);
    }
  });

  it('enforces the restricted Pod Security Standard on namespace streamline', () => {
    const namespace = findObject(objects, 'Namespace', APP_NAMESPACE);
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
      expect([object.kind, object.metadata.name, object.metadata.namespace]).toEqual([
        object.kind,
        object.metadata.name,
        expect.stringMatching(/^streamline(-kafka)?$/),
      ]);
    }
  });

  it('gives every container of namespace streamline the restricted security context', () => {
    for (const workload of appWorkloads) {
      const pod = workloadSpec(workload).template.spec;
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const context = { ...pod.securityContext, ...container.securityContext };
        const where = `${workload.metadata.name}/${container.name}`;
        expect({ where, ...context }).toMatchObject({
          where,
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect({ where, uid: context.runAsUser }).toEqual({ where, uid: expect.any(Number) });
        expect(context.runAsUser).toBeGreaterThan(0);
        expect(context.privileged).not.toBe(true);
        expect(context.capabilities?.add ?? []).toEqual([]);
      }
    }
  });

  it('gives every container requests and limits, a readiness and a liveness probe', () => {
    for (const workload of appWorkloads) {
      for (const container of workloadSpec(workload).template.spec.containers) {
        const where = `${workload.metadata.name}/${container.name}`;
        expect({ where, resources: container.resources }).toEqual({
          where,
          resources: {
            requests: { cpu: expect.any(String), memory: expect.any(String) },
            limits: { cpu: expect.any(String), memory: expect.any(String) },
          },
        });
        expect({ where, readiness: container.readinessProbe !== undefined }).toEqual({
          where,
          readiness: true,
        });
        expect({ where, liveness: container.livenessProbe !== undefined }).toEqual({
          where,
          liveness: true,
        });
      }
    }
  });

  it.each(SERVICES)('%s: probes on /health/live and /health/ready of its port', (service) => {
    const container = onlyContainer(serviceWorkload(objects, service));
    const port = SERVICE_PORTS[service];
    expect(container.ports?.map((p) => p.containerPort)).toEqual([port]);
    expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(container.startupProbe?.httpGet?.path).toBe('/health/live');
    expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
    for (const probe of [
      container.livenessProbe,
      container.startupProbe,
      container.readinessProbe,
    ]) {
      expect(probePort(container, probe)).toBe(port);
    }
    expect(container.image).toMatch(new RegExp(`^streamline/${service}:`));
  });

  it.each(SERVICES)(
    '%s: a Service whose port reaches the container, selecting it only',
    (service) => {
      const workload = serviceWorkload(objects, service);
      const labels = podLabels(workload);
      expect(selectorMatches(workloadSpec(workload).selector, labels)).toBe(true);
      const svc = findObject(objects, 'Service', service, APP_NAMESPACE);
      const spec = svc.spec as {
        selector: Record<string, string>;
        ports: Array<{ port: number; targetPort: number | string }>;
      };
      expect(selectorMatches({ matchLabels: spec.selector }, labels)).toBe(true);
      for (const other of appWorkloads.filter((w) => w !== workload)) {
        expect(selectorMatches({ matchLabels: spec.selector }, podLabels(other))).toBe(false);
      }
      const container = onlyContainer(workload);
      for (const port of spec.ports) {
        expect(port.port).toBe(SERVICE_PORTS[service]);
        expect(probePort(container, { httpGet: { port: port.targetPort } })).toBe(port.port);
      }
    },
  );

  it('mounts a writable emptyDir on /tmp of every service (read-only root file system)', () => {
    for (const service of SERVICES) {
      const workload = serviceWorkload(objects, service);
      const pod = workloadSpec(workload).template.spec;
      const mount = onlyContainer(workload).volumeMounts?.find((m) => m.mountPath === '/tmp');
      const volume = pod.volumes?.find((v) => v.name === mount?.name);
      expect({ service, emptyDir: volume?.emptyDir !== undefined }).toEqual({
        service,
        emptyDir: true,
      });
    }
  });

  it('gives iot-ingestor a StatefulSet with a headless Service, pod-name client ids and a spool volume', () => {
    const workload = serviceWorkload(objects, 'iot-ingestor');
    expect(workload.kind).toBe('StatefulSet');
    const spec = workloadSpec(workload);
    const headless = findObject(objects, 'Service', spec.serviceName ?? '', APP_NAMESPACE);
    const headlessSpec = headless.spec as { clusterIP?: string; selector: Record<string, string> };
    expect(headlessSpec.clusterIP).toBe('None');
    expect(selectorMatches({ matchLabels: headlessSpec.selector }, podLabels(workload))).toBe(true);
    const container = onlyContainer(workload);
    const clientId = container.env?.find((e) => e.name === 'MQTT_CLIENT_ID');
    expect(clientId?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    const claims = (spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name);
    expect(claims).toContain('spool');
    expect(container.volumeMounts?.map((m) => m.name)).toContain('spool');
  });

  it('rolls iot-ingestor one pod at a time, each new pod ready before the next goes', () => {
    const spec = workloadSpec(serviceWorkload(objects, 'iot-ingestor'));
    expect(spec.updateStrategy?.type).toBe('RollingUpdate');
    expect(spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1).toBe(1);
    expect(spec.updateStrategy?.rollingUpdate?.partition ?? 0).toBe(0);
    expect(spec.minReadySeconds).toBeGreaterThan(0);
  });

  it('rolls the Deployments without ever lowering the ready count (maxUnavailable 0)', () => {
    for (const workload of objectsOfKind(appWorkloads, 'Deployment')) {
      const strategy = workloadSpec(workload).strategy;
      expect([workload.metadata.name, strategy?.rollingUpdate?.maxUnavailable]).toEqual([
        workload.metadata.name,
        0,
      ]);
    }
  });

  it('keeps credentials in Secrets: DATABASE_URL and the Postgres password by secretKeyRef', () => {
    const secretRefs = (container: Container) =>
      Object.fromEntries(
        (container.env ?? [])
          .filter((e) => e.valueFrom?.secretKeyRef !== undefined)
          .map((e) => [e.name, e.valueFrom?.secretKeyRef?.name]),
      );
    for (const service of ['event-producer', 'dlq-handler', 'cdc-sink']) {
      const container = onlyContainer(serviceWorkload(objects, service));
      expect({ service, refs: secretRefs(container) }).toEqual({
        service,
        refs: { DATABASE_URL: 'streamline-postgres' },
      });
    }
    const postgres = onlyContainer(serviceWorkload(objects, 'postgres'));
    expect(secretRefs(postgres)).toEqual({ POSTGRES_PASSWORD: 'streamline-postgres' });
    // No credential in a ConfigMap: neither a variable for one nor a URL with a password.
    for (const map of objectsOfKind(objects, 'ConfigMap')) {
      const keys = Object.keys(map.data ?? {}).filter((k) =>
        /DATABASE_URL|PASSWORD|SECRET/i.test(k),
      );
      const urls = Object.values(map.data ?? {}).filter((v) => /:\/\/[^/\s:@]+:[^@\s]+@/.test(v));
      expect([map.metadata.name, keys, urls]).toEqual([map.metadata.name, [], []]);
    }
  });

  it('runs Postgres with wal_level=logical for Debezium', () => {
    const args = onlyContainer(serviceWorkload(objects, 'postgres')) as Container & {
      args?: string[];
    };
    expect(args.args?.join(' ')).toMatch(/-c wal_level=logical/);
  });
});

describe('k8s overlays: what differs', () => {
  const dev = buildOverlay('dev');
  const prod = buildOverlay('prod');
  const replicasOf = (objects: K8sObject[]) =>
    Object.fromEntries(
      objects
        .filter((o) => isWorkload(o) && o.metadata.namespace === APP_NAMESPACE)
        .map((o) => [o.metadata.name, minReplicas(objects, o)]),
    );

  it('dev: one replica of everything, a single Kafka node', () => {
    for (const [name, replicas] of Object.entries(replicasOf(dev))) {
      expect([name, replicas]).toEqual([name, 1]);
    }
    const pools = objectsOfKind(dev, 'KafkaNodePool');
    expect(pools.map((p) => p.spec?.['replicas'])).toEqual([1]);
    expect(pools[0]?.spec?.['roles']).toEqual(['controller', 'broker']);
  });

  it('dev: placeholder Secrets only, visibly not secret', () => {
    const secrets = objectsOfKind(dev, 'Secret');
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual([
      'streamline-connect-postgres',
      'streamline-postgres',
    ]);
    for (const secret of secrets) {
      for (const value of Object.values(secret.stringData ?? {})) {
        expect(value).toMatch(/placeholder/);
      }
    }
  });

  it('prod: no Secret committed', () => {
    expect(objectsOfKind(prod, 'Secret')).toEqual([]);
  });

  it('prod: several replicas of each service, a three-node controller quorum, three brokers', () => {
    const replicas = replicasOf(prod);
    for (const service of SERVICES) {
      expect([service, replicas[service]]).toEqual([service, expect.any(Number)]);
      expect(replicas[service]).toBeGreaterThanOrEqual(2);
    }
    expect(replicas['iot-ingestor']).toBeGreaterThanOrEqual(3);
    const pools = objectsOfKind(prod, 'KafkaNodePool').map((p) => [
      p.spec?.['roles'],
      p.spec?.['replicas'],
    ]);
    expect(pools).toEqual(
      expect.arrayContaining([
        [['controller'], 3],
        [['broker'], 3],
      ]),
    );
  });

  it('prod: an autoscaled Deployment has no spec.replicas, so `kubectl apply` never resets it', () => {
    const scalers = prod.filter((o) =>
      ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind),
    );
    expect(scalers.length).toBeGreaterThanOrEqual(4);
    for (const scaler of scalers) {
      const target = (scaler.spec?.['scaleTargetRef'] as { name: string }).name;
      const workload = findObject(prod, 'Deployment', target, APP_NAMESPACE);
      expect([target, workloadSpec(workload).replicas]).toEqual([target, undefined]);
    }
  });

  it('prod: a PodDisruptionBudget for every service workload (and NATS), one pod at a time', () => {
    const budgets = objectsOfKind(prod, 'PodDisruptionBudget');
    for (const workload of prod.filter(
      (o) => isWorkload(o) && [...SERVICES, 'nats'].includes(o.metadata.name),
    )) {
      const covering = budgets.filter((b) =>
        selectorMatches(b.spec?.['selector'] as LabelSelector, podLabels(workload)),
      );
      expect([workload.metadata.name, covering.length]).toEqual([workload.metadata.name, 1]);
      expect(covering[0]?.spec?.['maxUnavailable']).toBe(1);
      // With a single replica, one away is the whole service.
      expect(minReplicas(prod, workload)).toBeGreaterThanOrEqual(2);
    }
  });

  it('prod: spreads the replicas of each service over nodes (pod anti-affinity)', () => {
    for (const service of [...SERVICES, 'nats']) {
      const workload = serviceWorkload(prod, service);
      const anti = workloadSpec(workload).template.spec.affinity?.podAntiAffinity;
      const terms = [
        ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
          (t) => t.podAffinityTerm,
        ),
      ];
      const own = terms.filter(
        (t) =>
          t.topologyKey === 'kubernetes.io/hostname' &&
          selectorMatches(t.labelSelector, podLabels(workload)),
      );
      expect([service, own.length]).toEqual([service, 1]);
    }
  });

  it('prod: a NATS cluster of three with routes to each server', () => {
    const conf = objectsOfKind(prod, 'ConfigMap').find((c) =>
      c.metadata.name.startsWith('nats-config'),
    );
    const routes = conf?.data?.['nats.conf']?.match(/nats:\/\/nats-\d\.nats-headless/g) ?? [];
    expect(routes).toHaveLength(workloadSpec(serviceWorkload(prod, 'nats')).replicas ?? 0);
  });
});

describe('k8s Mosquitto configuration', () => {
  /** The directives that decide what a session keeps while its client is away. */
  const QUEUE_DIRECTIVE =
    /^(max_queued_\w+|max_inflight_\w+|persistence|persistent_client_expiration|queue_qos0_messages|upgrade_outgoing_qos|max_packet_size|message_size_limit)\b/;
  const directives = (file: string) =>
    readFileSync(path.join(REPO_ROOT, file), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => QUEUE_DIRECTIVE.test(line))
      .sort();

  it("has the project's queue limits, the same as docker/mosquitto/mosquitto.conf", () => {
    const k8s = directives('k8s/base/streamline/brokers/mosquitto.conf');
    expect(k8s).toEqual(directives('docker/mosquitto/mosquitto.conf'));
    expect(k8s.some((line) => line.startsWith('max_queued_messages'))).toBe(true);
  });

  it('is the file the Mosquitto StatefulSet mounts', () => {
    const objects = buildOverlay('dev');
    const map = objectsOfKind(objects, 'ConfigMap').find((c) =>
      c.metadata.name.startsWith('mosquitto-config'),
    );
    expect(map?.data?.['mosquitto.conf']).toBe(
      readFileSync(path.join(REPO_ROOT, 'k8s/base/streamline/brokers/mosquitto.conf'), 'utf8'),
    );
    const pod = workloadSpec(serviceWorkload(objects, 'mosquitto')).template.spec;
    expect(pod.volumes?.find((v) => v.name === 'config')?.configMap?.name).toBe(map?.metadata.name);
  });
});
