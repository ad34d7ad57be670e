import { OVERLAYS, buildOverlay, type K8sObject } from './kustomize-build';
import { unknownFieldErrors } from './strict-fields';

describe('k8s: no field the schemas do not know (typed models, tsc excess-property check)', () => {
  jest.setTimeout(180_000);

  it('overlays dev and prod (one tsc run)', () => {
    expect(unknownFieldErrors(OVERLAYS.flatMap((overlay) => buildOverlay(overlay)))).toEqual([]);
  });

  it('names a misspelt field of a Kubernetes object and of a custom resource', () => {
    const objects = buildOverlay('dev');
    const typo = (kind: string, edit: (o: K8sObject) => void) => {
      const object = structuredClone(objects.find((o) => o.kind === kind)) as K8sObject;
      edit(object);
      return object;
    };
    const deployment = typo('Deployment', (o) => {
      const spec = o.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } };
      const container = spec.template.spec.containers[0] as Record<string, unknown>;
      container['imagee'] = container['image'];
    });
    const topic = typo('KafkaTopic', (o) => {
      (o.spec as Record<string, unknown>)['partitionz'] = 3;
    });
    const errors = unknownFieldErrors([deployment, topic]);
    expect(errors).toEqual([
      expect.stringMatching(/Deployment streamline\/\S+: .*'"imagee"' does not exist/),
      expect.stringMatching(/KafkaTopic streamline-kafka\/\S+: .*'"partitionz"' does not exist/),
    ]);
  });
});
