import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './kafka-topics-manifest';
import type { K8sObject } from './kustomize-build';

/** Where each apiVersion's typed models live (the packages validate-objects.mjs uses). */
const MODEL_MODULES: Readonly<Record<string, string>> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'kafka.strimzi.io/v1': '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
};

/**
 * Fields the schemas do not know. JSON Schema validation (validate-objects.mjs) accepts unknown
 * fields, as the OpenAPI documents allow them; the models' TypeScript interfaces do not: each
 * object becomes an object literal typed `I<Kind>`, and tsc's excess-property check names the
 * first unknown field of each (`imagee`, `replicass`). Returns tsc's error lines, [] when clean.
 */
export function unknownFieldErrors(objects: readonly K8sObject[]): string[] {
  const imports = new Map<string, string>();
  const lines = objects.map((object, index) => {
    const module = MODEL_MODULES[object.apiVersion];
    if (module === undefined) throw new Error(`no typed model for ${object.apiVersion}`);
    const alias = `T${imports.size}`;
    const key = `${module}/${object.kind}`;
    if (!imports.has(key)) imports.set(key, alias);
    const label = `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    return `// ${label}\nexport const o${index}: ${imports.get(key)}.I${object.kind} = ${JSON.stringify(object)};`;
  });
  const header = [...imports].map(([key, alias]) => `import type * as ${alias} from '${key}';`);
  // Under the repository so that module resolution finds its node_modules; tmp/ is ignored by git.
  const dir = path.join(REPO_ROOT, 'tmp', `k8s-fields-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(path.join(dir, 'objects.ts'), `${header.join('\n')}\n${lines.join('\n')}\n`);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'esnext',
          moduleResolution: 'bundler',
          target: 'es2022',
          skipLibCheck: true,
          types: [],
        },
        files: ['objects.ts'],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false'],
      { encoding: 'utf8' },
    );
    if (tsc.status === 0) return [];
    const errors = tsc.stdout.split('\n').filter((line) => line.includes('error TS'));
    if (errors.length === 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
    // Name the object each error is in (its line holds the literal, the line above its name).
    const source = lines.join('\n').split('\n');
    return errors.map((error) => {
      const line = Number(/\((\d+),\d+\)/.exec(error)?.[1] ?? 0) - header.length - 1;
      const message = error.replace(/^.*error TS\d+: /, '');
      return `${(source[line - 1] ?? '?').replace(/^\/\/ /, '')}: ${message}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
