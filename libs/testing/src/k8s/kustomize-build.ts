import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './kafka-topics-manifest';

export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** A Kubernetes object as `kubectl kustomize` prints it; the fields the tests read are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  // Kinds differ too much for one type; readers narrow with the interfaces in k8s-objects.ts.
  spec?: Record<string, unknown>;
}

const builds = new Map<string, K8sObject[]>();

/** `kubectl kustomize <dir>` parsed into objects (cached per directory for one test file). */
export function kustomizeBuild(relativeDir: string): K8sObject[] {
  const cached = builds.get(relativeDir);
  if (cached !== undefined) return cached;
  let yaml: string;
  try {
    yaml = execFileSync('kubectl', ['kustomize', path.join(REPO_ROOT, relativeDir)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'kubectl is not installed: the k8s tests need kubectl 1.27 or later (kustomize v5)',
      );
    }
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    throw new Error(`kubectl kustomize ${relativeDir} failed: ${stderr || String(error)}`);
  }
  const objects = parseAllDocuments(yaml).map((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(`${relativeDir} document ${index}: ${document.errors[0]?.message}`);
    }
    return document.toJS() as K8sObject;
  });
  builds.set(relativeDir, objects);
  return objects;
}

export function buildOverlay(overlay: Overlay): K8sObject[] {
  return kustomizeBuild(`k8s/overlays/${overlay}`);
}

export function objectsOfKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The one object of this kind and name (and namespace, when given); throws when absent. */
export function findObject(
  objects: readonly K8sObject[],
  kind: string,
  name: string,
  namespace?: string,
): K8sObject {
  const found = objects.filter(
    (o) =>
      o.kind === kind &&
      o.metadata.name === name &&
      (namespace === undefined || o.metadata.namespace === namespace),
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} ${namespace ?? '*'}/${name}, found ${found.length}`);
  }
  return found[0] as K8sObject;
}
