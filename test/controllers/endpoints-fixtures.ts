// Fixtures for the Endpoints, EndpointSlice and disruption controller tests: there is no node
// agent, so tests create pods and play the kubelet's part by writing pod status (IPs, phase and
// the Ready condition) through pods/status.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { KubeObject } from '../../src/api/object.js';

export type P = Pod & KubeObject;

export interface PodSpecOptions {
  labels?: Record<string, string>;
  /** Container ports: [name, port] pairs (TCP). */
  ports?: [string, number][];
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
  ownerReferences?: NonNullable<Pod['metadata']>['ownerReferences'];
  terminationGracePeriodSeconds?: number;
}

export function podManifest(namespace: string, name: string, o: PodSpecOptions = {}): P {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: o.labels ?? { app: 'web' }, ownerReferences: o.ownerReferences },
    spec: {
      nodeName: o.nodeName,
      hostname: o.hostname,
      subdomain: o.subdomain,
      terminationGracePeriodSeconds: o.terminationGracePeriodSeconds,
      containers: [{ name: 'c', image: 'nginx', ports: (o.ports ?? []).map(([n, p]) => ({ name: n, containerPort: p })) }],
    },
  };
}

export function rfc3339(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Sets a pod Running with the given IPs and readiness, as a kubelet would. */
export async function setPodStatus(client: Client, namespace: string, name: string, s: { ips?: string[]; ready: boolean; phase?: string; since?: number }): Promise<P> {
  const t = rfc3339(s.since);
  const status: Pod['status'] = {
    phase: s.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: s.ready ? 'True' : 'False', lastTransitionTime: t }],
  };
  if (s.ips?.length) {
    status.podIP = s.ips[0];
    status.podIPs = s.ips.map((ip) => ({ ip }));
  }
  return client.resource(resources.pods).patch<P>(name, { status }, { type: 'merge', subresource: 'status', namespace });
}

/** Creates a pod and gives it an IP and readiness in one go. */
export async function createPod(client: Client, namespace: string, name: string, o: PodSpecOptions & { ip?: string; ips?: string[]; ready?: boolean } = {}): Promise<P> {
  await client.resource(resources.pods).create(podManifest(namespace, name, o), { namespace });
  const ips = o.ips ?? (o.ip ? [o.ip] : []);
  return setPodStatus(client, namespace, name, { ips, ready: o.ready ?? true });
}

export async function createNode(client: Client, name: string, zone?: string): Promise<Node & KubeObject> {
  return client.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } });
}

export async function createService(client: Client, namespace: string, name: string, spec: Service['spec'], labels?: Record<string, string>): Promise<Service & KubeObject> {
  return client.resource(resources.services).create({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec }, { namespace });
}

export async function createNamespace(client: Client, name: string): Promise<void> {
  await client.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}
