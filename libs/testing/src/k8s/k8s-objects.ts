import type { K8sObject } from './kustomize-build';

/** The parts of a pod template the tests check, as the Kubernetes API names them. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface HttpProbe {
  httpGet?: { path?: string; port?: number | string };
  tcpSocket?: { port?: number | string };
  exec?: { command?: string[] };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath?: string };
    secretKeyRef?: { name?: string; key?: string };
    configMapKeyRef?: { name?: string; key?: string };
  };
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}

export interface Container {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{
    configMapRef?: { name?: string; optional?: boolean };
    secretRef?: { name?: string; optional?: boolean };
  }>;
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  startupProbe?: HttpProbe;
  lifecycle?: { preStop?: { sleep?: { seconds?: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: SecurityContext;
  volumes?: Array<{ name: string; emptyDir?: object; configMap?: { name?: string } }>;
  affinity?: {
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: Array<{
        topologyKey: string;
        labelSelector?: LabelSelector;
      }>;
      preferredDuringSchedulingIgnoredDuringExecution?: Array<{
        podAffinityTerm: { topologyKey: string; labelSelector?: LabelSelector };
      }>;
    };
  };
}

export interface WorkloadSpec {
  replicas?: number;
  serviceName?: string;
  selector: LabelSelector;
  template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
  strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
  updateStrategy?: {
    type?: string;
    rollingUpdate?: { maxUnavailable?: number | string; partition?: number };
  };
  minReadySeconds?: number;
  volumeClaimTemplates?: Array<{ metadata: { name: string } }>;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];

export function isWorkload(object: K8sObject): boolean {
  return WORKLOAD_KINDS.includes(object.kind);
}

export function workloadSpec(object: K8sObject): WorkloadSpec {
  if (!isWorkload(object)) throw new Error(`${object.kind} ${object.metadata.name} is no workload`);
  return object.spec as unknown as WorkloadSpec;
}

export function podLabels(object: K8sObject): Record<string, string> {
  return workloadSpec(object).template.metadata?.labels ?? {};
}

/** Whether a label selector selects these labels (matchLabels and matchExpressions). */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (selector === undefined) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
}

/** A probe's port as a number, through the container's named ports. */
export function probePort(container: Container, probe: HttpProbe | undefined): number | undefined {
  const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/**
 * The environment a container starts with: its ConfigMaps and Secrets (envFrom), then `env`
 * (which wins). `metadata.name` is `podName`; a Secret the build does not contain (prod: the
 * operator creates it) resolves through `missingSecret`.
 */
export function effectiveEnv(
  container: Container,
  objects: readonly K8sObject[],
  namespace: string,
  podName: string,
  missingSecret: (name: string, key: string) => string,
): Record<string, string> {
  const lookup = (kind: 'ConfigMap' | 'Secret', name: string | undefined) =>
    objects.find(
      (o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace,
    );
  const secretData = (object: K8sObject): Record<string, string> => ({
    ...Object.fromEntries(
      Object.entries(object.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    ),
    ...(object.stringData ?? {}),
  });
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef !== undefined) {
      const map = lookup('ConfigMap', source.configMapRef.name);
      if (map === undefined) throw new Error(`no ConfigMap ${source.configMapRef.name}`);
      Object.assign(env, map.data ?? {});
    }
    if (source.secretRef !== undefined) {
      const secret = lookup('Secret', source.secretRef.name);
      if (secret !== undefined) Object.assign(env, secretData(secret));
    }
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (from?.fieldRef?.fieldPath === 'metadata.name') env[variable.name] = podName;
    else if (from?.secretKeyRef !== undefined) {
      const { name = '', key = '' } = from.secretKeyRef;
      const secret = lookup('Secret', name);
      env[variable.name] =
        secret === undefined ? missingSecret(name, key) : (secretData(secret)[key] ?? '');
    } else if (from?.configMapKeyRef !== undefined) {
      const map = lookup('ConfigMap', from.configMapKeyRef.name);
      env[variable.name] = map?.data?.[from.configMapKeyRef.key ?? ''] ?? '';
    } else {
      throw new Error(`${container.name}: env ${variable.name} has a source the test cannot read`);
    }
  }
  return env;
}

/** The fewest replicas a workload runs: its autoscaler's minimum, else spec.replicas. */
export function minReplicas(objects: K8sObject[], workload: K8sObject): number | undefined {
  for (const scaler of objects) {
    const spec = scaler.spec as
      | { scaleTargetRef?: { name?: string }; minReplicas?: number; minReplicaCount?: number }
      | undefined;
    if (spec?.scaleTargetRef?.name !== workload.metadata.name) continue;
    if (scaler.kind === 'HorizontalPodAutoscaler') return spec.minReplicas ?? 1;
    if (scaler.kind === 'ScaledObject') return spec.minReplicaCount ?? 0;
  }
  return workloadSpec(workload).replicas;
}
