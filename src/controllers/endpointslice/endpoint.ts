// One pod as an EndpointSlice endpoint, and the identities the reconciler groups by (upstream's
// staging endpointslice utils.go: podToEndpoint, getEndpointPorts, hashEndpoint, PortMapKey,
// EndpointsEqualBeyondHash).
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { semanticEqual } from '../endpoints/equal.js';
import { findPort, isIPv6, isPodReady, podIPs, shouldSetHostname } from '../endpoints/pod-util.js';

export type AddressType = 'IPv4' | 'IPv6';

export const zoneLabel = 'topology.kubernetes.io/zone';

/**
 * The endpoint for a pod: its IPs of `addressType`; serving = Ready; terminating = being deleted;
 * ready = serving and not terminating, or always when the service publishes not-ready addresses.
 */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = (svc.spec?.publishNotReadyAddresses ?? false) || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[zoneLabel];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  return ep;
}

/** The slice ports for a pod: each service port whose target resolves on it (a headless service may have none). */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0 && svc.spec?.clusterIP === 'None') return out;
  for (const sp of ports) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    // Upstream always sets name (possibly "") and protocol.
    const ep: EndpointPort = { name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** Identity of an endpoint within a port group: addresses, hostname, and the pod's namespace/name. */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** Identity of a set of ports (order-insensitive). */
export function portMapKey(ports: EndpointPort[] | undefined): string {
  return JSON.stringify((ports ?? []).map((p) => [p.name ?? '', p.protocol ?? '', p.port ?? 0, p.appProtocol ?? '']).sort());
}

/** Whether two endpoints with the same key also agree on everything else the controller sets. */
export function endpointsEqualBeyondKey(a: Endpoint, b: Endpoint): boolean {
  return (
    (a.nodeName ?? '') === (b.nodeName ?? '') &&
    (a.zone ?? '') === (b.zone ?? '') &&
    a.conditions?.ready === b.conditions?.ready &&
    a.conditions?.serving === b.conditions?.serving &&
    a.conditions?.terminating === b.conditions?.terminating &&
    semanticEqual(a.hints, b.hints) &&
    semanticEqual(a.targetRef, b.targetRef)
  );
}
