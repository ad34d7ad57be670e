import type { K8sObject } from './kustomize-build';
import { selectorMatches, type LabelSelector } from './k8s-objects';

/** A pod as NetworkPolicies see it: its namespace and labels. */
export interface Endpoint {
  namespace: string;
  labels: Record<string, string>;
}

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}

interface Rule {
  peers?: Peer[];
  ports?: Array<{ port?: number | string; protocol?: string }>;
}

/** A NetworkPolicy reduced to what the evaluation needs. */
export interface Policy {
  name: string;
  namespace: string;
  podSelector: LabelSelector;
  ingress?: Rule[];
  egress?: Rule[];
}

interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: Array<{ from?: Peer[]; ports?: Rule['ports'] }>;
  egress?: Array<{ to?: Peer[]; ports?: Rule['ports'] }>;
}

/** The NetworkPolicy objects of a build as policies (a missing rule list denies that way). */
export function networkPolicies(objects: readonly K8sObject[]): Policy[] {
  return objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .map((o) => {
      const spec = o.spec as unknown as NetworkPolicySpec;
      const types = spec.policyTypes ?? ['Ingress', ...(spec.egress ? ['Egress'] : [])];
      return {
        name: o.metadata.name,
        namespace: o.metadata.namespace ?? 'default',
        podSelector: spec.podSelector,
        ingress: types.includes('Ingress')
          ? (spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
          : undefined,
        egress: types.includes('Egress')
          ? (spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }))
          : undefined,
      };
    });
}

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint): boolean {
  // ipBlock is for addresses outside the cluster; pods are matched by selectors here.
  if (peer.ipBlock !== undefined) return false;
  const namespaceOk =
    peer.namespaceSelector === undefined
      ? other.namespace === policyNamespace
      : selectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': other.namespace });
  const podOk = peer.podSelector === undefined || selectorMatches(peer.podSelector, other.labels);
  return namespaceOk && podOk;
}

function ruleAllows(rule: Rule, policyNamespace: string, other: Endpoint, port: number): boolean {
  const peersOk =
    rule.peers === undefined ||
    rule.peers.length === 0 ||
    rule.peers.some((peer) => peerMatches(peer, policyNamespace, other));
  const portsOk =
    rule.ports === undefined ||
    rule.ports.length === 0 ||
    rule.ports.some((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');
  return peersOk && portsOk;
}

/**
 * Whether `self` may send (egress) to or receive (ingress) from `other` on TCP `port`, by the
 * NetworkPolicy semantics: a pod no policy of that direction selects is open; a selected pod is
 * open only where one of the selecting policies' rules allows.
 */
export function allows(
  policies: readonly Policy[],
  direction: 'ingress' | 'egress',
  self: Endpoint,
  other: Endpoint,
  port: number,
): boolean {
  const selecting = policies.filter(
    (p) =>
      p.namespace === self.namespace &&
      p[direction] !== undefined &&
      selectorMatches(p.podSelector, self.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (p[direction] ?? []).some((rule) => ruleAllows(rule, p.namespace, other, port)),
  );
}

/** Whether a TCP connection from `source` to `target:port` is allowed on both ends. */
export function connectionAllowed(
  policies: readonly Policy[],
  source: Endpoint,
  target: Endpoint,
  port: number,
): boolean {
  return (
    allows(policies, 'egress', source, target, port) &&
    allows(policies, 'ingress', target, source, port)
  );
}
