import { loadConfig } from '@streamline/platform';
import { OVERLAYS, buildOverlay, type K8sObject } from './kustomize-build';
import { effectiveEnv, isWorkload, minReplicas, workloadSpec, type Container } from './k8s-objects';
import {
  SERVICES,
  SERVICE_PORTS,
  knownVariables,
  loadServiceConfigSchema,
  unknownVariables,
} from './service-config-schemas';

/** prod has no Secret in git; a value of the right shape stands in for the one you create. */
const standInSecret = (name: string, key: string) =>
  key === 'DATABASE_URL'
    ? 'postgres://postgres:stand-in@postgres.streamline.svc:5432/streamline'
    : `stand-in-${name}-${key}`;

function serviceEnv(objects: K8sObject[], service: string) {
  const workload = objects.find((o) => isWorkload(o) && o.metadata.name === service);
  if (workload === undefined) throw new Error(`no workload ${service}`);
  const spec = workloadSpec(workload);
  const container = spec.template.spec.containers[0] as Container;
  // A StatefulSet's first pod, a Deployment's pods get a random suffix.
  const podName = workload.kind === 'StatefulSet' ? `${service}-0` : `${service}-7d4b9c-x2x5q`;
  return {
    workload,
    container,
    env: effectiveEnv(container, objects, 'streamline', podName, standInSecret),
  };
}

describe('the schema check itself', () => {
  it('knows the variables of a schema behind transforms, and names a misspelled one', async () => {
    const schema = await loadServiceConfigSchema('iot-ingestor');
    expect(knownVariables(schema)).toEqual(
      expect.arrayContaining(['PORT', 'KAFKA_BROKERS', 'MQTT_URL', 'MQTT_CLIENT_ID']),
    );
    expect(
      unknownVariables(schema, { KAFKA_BROKERS: 'k:9092', KAFKA_BROKER: 'k:9092', PORT: '1' }),
    ).toEqual(['KAFKA_BROKER']);
  });

  it('refuses a variable of another service (DATABASE_URL for iot-ingestor)', async () => {
    const schema = await loadServiceConfigSchema('iot-ingestor');
    expect(unknownVariables(schema, { DATABASE_URL: 'postgres://x@y/z' })).toEqual([
      'DATABASE_URL',
    ]);
  });
});

describe.each(OVERLAYS)('k8s overlay %s: service configuration', (overlay) => {
  const objects = buildOverlay(overlay);

  it.each(SERVICES)('%s: every variable set is one its schema knows', async (service) => {
    const schema = await loadServiceConfigSchema(service);
    const { env } = serviceEnv(objects, service);
    expect(Object.keys(env).length).toBeGreaterThan(3);
    expect({ service, unknown: unknownVariables(schema, env) }).toEqual({ service, unknown: [] });
  });

  it.each(SERVICES)('%s: the environment passes its schema, on its port', async (service) => {
    const schema = await loadServiceConfigSchema(service);
    const { env } = serviceEnv(objects, service);
    const config = loadConfig(schema, env) as {
      PORT: number;
      NODE_ENV: string;
      KAFKA_BROKERS: string[];
    };
    expect(config.PORT).toBe(SERVICE_PORTS[service]);
    expect(config.NODE_ENV).toBe('production');
    expect(config.KAFKA_BROKERS).toEqual(['streamline-kafka-bootstrap.streamline-kafka.svc:9092']);
  });

  it('iot-ingestor leaves the share group on stop exactly when other members remain', async () => {
    const schema = await loadServiceConfigSchema('iot-ingestor');
    const { workload, env } = serviceEnv(objects, 'iot-ingestor');
    const config = loadConfig(schema, env) as { MQTT_LEAVE_SHARE_ON_STOP?: boolean };
    const replicas = minReplicas(objects, workload) ?? 1;
    // One replica keeps its session (its restart must not drop the share's readings); with more,
    // leaving on SIGTERM is what keeps a scale-down from stranding readings (iot-ingestor README).
    expect({ replicas, leave: config.MQTT_LEAVE_SHARE_ON_STOP }).toEqual({
      replicas,
      leave: replicas >= 2,
    });
  });

  it("iot-ingestor spools onto its own volume, within the volume's size", async () => {
    const schema = await loadServiceConfigSchema('iot-ingestor');
    const { workload, container, env } = serviceEnv(objects, 'iot-ingestor');
    const config = loadConfig(schema, env) as { SPOOL_DIR: string; SPOOL_MAX_BYTES: number };
    const mount = container.volumeMounts?.find((m) => m.name === 'spool');
    expect(mount).toBeDefined();
    expect(`${config.SPOOL_DIR}/`.startsWith(`${mount?.mountPath}/`)).toBe(true);
    const claim = workloadSpec(workload).volumeClaimTemplates?.find(
      (t) => t.metadata.name === 'spool',
    ) as { spec?: { resources?: { requests?: { storage?: string } } } } | undefined;
    const size = /^(\d+)Gi$/.exec(claim?.spec?.resources?.requests?.storage ?? '');
    expect(size).not.toBeNull();
    expect(config.SPOOL_MAX_BYTES).toBeLessThan(Number(size?.[1]) * 1024 ** 3);
  });

  it.each(SERVICES)('%s: SIGKILL comes after preStop plus SHUTDOWN_TIMEOUT_MS', async (service) => {
    const schema = await loadServiceConfigSchema(service);
    const { workload, container, env } = serviceEnv(objects, service);
    const { SHUTDOWN_TIMEOUT_MS } = loadConfig(schema, env) as { SHUTDOWN_TIMEOUT_MS: number };
    const preStopMs = (container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
    const graceMs =
      (workloadSpec(workload).template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    expect(graceMs).toBeGreaterThan(preStopMs + SHUTDOWN_TIMEOUT_MS);
  });
});
