// Validates Kubernetes objects against the JSON schemas of typed models: the Kubernetes 1.34
// OpenAPI (kubernetes-models), Strimzi's CRDs (@kubernetes-models/strimzi-kafka-operator) and
// KEDA's CRDs (@kubernetes-models/keda), versions pinned in package.json. A separate process
// because these packages are ES modules only, which jest's CommonJS runtime cannot load.
// stdin: a JSON array of objects. stdout: a JSON array of { apiVersion, kind, name, error }
// (error null when valid; an object whose apiVersion/kind no package models is an error too).

const MODULES = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'rbac.authorization.k8s.io/v1': 'kubernetes-models/rbac.authorization.k8s.io/v1',
  'kafka.strimzi.io/v1': '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
};

async function modelOf(apiVersion, kind) {
  const specifier = MODULES[apiVersion];
  if (specifier === undefined) return undefined;
  const module = await import(specifier);
  const model = module[kind];
  return typeof model === 'function' && model.apiVersion === apiVersion ? model : undefined;
}

async function validate(object) {
  const { apiVersion, kind } = object;
  const name = object.metadata?.name ?? '(unnamed)';
  const Model = await modelOf(apiVersion, kind);
  if (Model === undefined) {
    return { apiVersion, kind, name, error: `no schema for ${apiVersion} ${kind}` };
  }
  try {
    new Model(object).validate();
    return { apiVersion, kind, name, error: null };
  } catch (error) {
    return {
      apiVersion,
      kind,
      name,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = await Promise.all(objects.map(validate));
process.stdout.write(JSON.stringify(results));
