import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './kafka-topics-manifest';

const K8S_DIR = path.join(REPO_ROOT, 'k8s');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

interface Kustomization {
  resources?: string[];
  components?: string[];
  patches?: Array<{ path?: string }>;
  configMapGenerator?: Array<{ files?: string[] }>;
}

/** Every file a kustomization.yaml uses, as absolute paths. */
function referencedFiles(): Set<string> {
  const used = new Set<string>();
  for (const file of files(K8S_DIR).filter((f) => path.basename(f) === 'kustomization.yaml')) {
    const dir = path.dirname(file);
    const k = parse(readFileSync(file, 'utf8')) as Kustomization;
    const entries = [
      ...(k.resources ?? []),
      ...(k.components ?? []),
      ...(k.patches ?? []).flatMap((p) => (p.path === undefined ? [] : [p.path])),
      ...(k.configMapGenerator ?? []).flatMap((g) => g.files ?? []),
    ];
    for (const entry of entries) used.add(path.resolve(dir, entry.replace(/^[^=]+=/, '')));
  }
  return used;
}

describe('k8s layout', () => {
  it('uses every manifest and config file under k8s/ (none is forgotten)', () => {
    const used = referencedFiles();
    const unused = files(K8S_DIR)
      .filter((f) => /\.(ya?ml|conf)$/.test(f) && path.basename(f) !== 'kustomization.yaml')
      .filter((f) => !used.has(f))
      .map((f) => path.relative(REPO_ROOT, f));
    expect(unused).toEqual([]);
  });
});
