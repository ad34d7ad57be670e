import { OVERLAYS, buildOverlay, findObject } from './kustomize-build';
import { isWorkload, podLabels, type LabelSelector } from './k8s-objects';
import {
  allows,
  connectionAllowed,
  networkPolicies,
  type Endpoint,
  type Policy,
} from './network-policy';
import { SERVICES, SERVICE_PORTS } from './service-config-schemas';

/** Pods Strimzi creates, with the labels Strimzi gives them (cluster `streamline`). */
const KAFKA_BROKER: Endpoint = {
  namespace: 'streamline-kafka',
  labels: {
    'strimzi.io/cluster': 'streamline',
    'strimzi.io/kind': 'Kafka',
    'strimzi.io/name': 'streamline-kafka',
    'strimzi.io/broker-role': 'true',
  },
};
const KAFKA_CONNECT: Endpoint = {
  namespace: 'streamline-kafka',
  labels: {
    'strimzi.io/cluster': 'streamline-connect',
    'strimzi.io/kind': 'KafkaConnect',
    'strimzi.io/name': 'streamline-connect-connect',
  },
};
const KEDA_OPERATOR: Endpoint = { namespace: 'keda', labels: { app: 'keda-operator' } };
const STRANGER: Endpoint = { namespace: 'elsewhere', labels: { app: 'curious' } };

const BROKER_PORTS = { kafka: 9092, mosquitto: 1883, nats: 4222, postgres: 5432 } as const;
type Broker = keyof typeof BROKER_PORTS;

/** The edges of /work/shared/ARCHITECTURE.md: who talks to which broker. */
const EDGES: Readonly<Record<string, readonly Broker[]>> = {
  'iot-ingestor': ['mosquitto', 'kafka', 'nats'],
  'event-producer': ['kafka', 'postgres'],
  aggregator: ['kafka', 'nats'],
  'dlq-handler': ['kafka', 'nats', 'postgres'],
  'cdc-sink': ['kafka', 'nats', 'postgres'],
  'kafka-connect': ['kafka', 'postgres'],
};

describe.each(OVERLAYS)('k8s overlay %s: NetworkPolicies', (overlay) => {
  const objects = buildOverlay(overlay);
  const pod = (name: string): Endpoint => {
    const workload = objects.find(
      (o) => isWorkload(o) && o.metadata.name === name && o.metadata.namespace === 'streamline',
    );
    if (workload === undefined) throw new Error(`no workload ${name}`);
    return { namespace: 'streamline', labels: podLabels(workload) };
  };
  const endpoints: Record<string, Endpoint> = {
    ...Object.fromEntries([...SERVICES, 'mosquitto', 'nats', 'postgres'].map((n) => [n, pod(n)])),
    kafka: KAFKA_BROKER,
    'kafka-connect': KAFKA_CONNECT,
  };

  /**
   * The policies in the build, plus the one Strimzi writes for the Kafka listener on 9092 from
   * its networkPolicyPeers (so the test sees what the cluster will enforce).
   */
  const policies: Policy[] = (() => {
    const kafka = findObject(objects, 'Kafka', 'streamline', 'streamline-kafka');
    const listeners = (
      kafka.spec?.['kafka'] as {
        listeners: Array<{
          port: number;
          networkPolicyPeers?: Array<{
            podSelector?: LabelSelector;
            namespaceSelector?: LabelSelector;
          }>;
        }>;
      }
    ).listeners;
    const plain = listeners.find((l) => l.port === BROKER_PORTS.kafka);
    if (plain === undefined) throw new Error('no Kafka listener on 9092');
    return [
      ...networkPolicies(objects),
      {
        name: 'strimzi-generated-kafka-listener',
        namespace: KAFKA_BROKER.namespace,
        podSelector: { matchLabels: { 'strimzi.io/name': 'streamline-kafka' } },
        // No peers: Strimzi allows everyone on the listener.
        ingress: [{ peers: plain.networkPolicyPeers, ports: [{ port: plain.port }] }],
      },
    ];
  })();

  it('deny everything by default in both namespaces, DNS aside', () => {
    for (const namespace of ['streamline', 'streamline-kafka']) {
      const deny = findObject(objects, 'NetworkPolicy', 'default-deny-all', namespace);
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
    const dns: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
    for (const [name, endpoint] of Object.entries(endpoints)) {
      expect([name, connectionAllowed(policies, endpoint, dns, 53)]).toEqual([name, true]);
      // Not on another port of the DNS pods.
      expect([name, connectionAllowed(policies, endpoint, dns, 8080)]).toEqual([name, false]);
    }
  });

  it.each(Object.keys(EDGES))('%s reaches exactly the brokers of its edges', (source) => {
    const allowed = (Object.keys(BROKER_PORTS) as Broker[]).filter((broker) =>
      connectionAllowed(
        policies,
        endpoints[source] as Endpoint,
        endpoints[broker] as Endpoint,
        BROKER_PORTS[broker],
      ),
    );
    expect(allowed.sort()).toEqual([...(EDGES[source] ?? [])].sort());
  });

  it('lets KEDA read consumer lag from Kafka, and no stranger', () => {
    expect(connectionAllowed(policies, KEDA_OPERATOR, KAFKA_BROKER, 9092)).toBe(true);
    expect(connectionAllowed(policies, STRANGER, KAFKA_BROKER, 9092)).toBe(false);
    expect(connectionAllowed(policies, STRANGER, endpoints['postgres'] as Endpoint, 5432)).toBe(
      false,
    );
    expect(connectionAllowed(policies, STRANGER, endpoints['nats'] as Endpoint, 4222)).toBe(false);
  });

  it.each(SERVICES)('%s accepts HTTP on its port from anywhere, nothing else', (service) => {
    const target = endpoints[service] as Endpoint;
    const port = SERVICE_PORTS[service] as number;
    expect(connectionAllowed(policies, STRANGER, target, port)).toBe(true);
    expect(connectionAllowed(policies, STRANGER, target, port + 1000)).toBe(false);
    // The services do not call each other.
    for (const other of SERVICES.filter((s) => s !== service)) {
      expect([
        other,
        connectionAllowed(policies, endpoints[other] as Endpoint, target, port),
      ]).toEqual([other, false]);
    }
  });

  it("lets Strimzi's pods reach each other (egress; Strimzi writes their ingress side)", () => {
    const controller: Endpoint = {
      namespace: 'streamline-kafka',
      labels: { ...KAFKA_BROKER.labels, 'strimzi.io/controller-role': 'true' },
    };
    const entityOperator: Endpoint = {
      namespace: 'streamline-kafka',
      labels: {
        'strimzi.io/cluster': 'streamline',
        'strimzi.io/kind': 'Kafka',
        'strimzi.io/name': 'streamline-entity-operator',
      },
    };
    // KRaft quorum (9090) and replication (9091) between the nodes.
    expect(allows(policies, 'egress', KAFKA_BROKER, controller, 9090)).toBe(true);
    expect(allows(policies, 'egress', KAFKA_BROKER, KAFKA_BROKER, 9091)).toBe(true);
    expect(allows(policies, 'egress', entityOperator, KAFKA_BROKER, 9091)).toBe(true);
    // A Connect follower forwards REST requests to the leader.
    expect(allows(policies, 'egress', KAFKA_CONNECT, KAFKA_CONNECT, 8083)).toBe(true);
    // Kafka's nodes reach nothing of namespace streamline.
    for (const name of ['postgres', 'nats', 'mosquitto']) {
      const target = endpoints[name] as Endpoint;
      expect([name, allows(policies, 'egress', KAFKA_BROKER, target, 5432)]).toEqual([name, false]);
    }
  });

  it('lets MQTT devices reach Mosquitto from outside the namespace', () => {
    expect(connectionAllowed(policies, STRANGER, endpoints['mosquitto'] as Endpoint, 1883)).toBe(
      true,
    );
  });
});
