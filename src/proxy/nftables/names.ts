// Chain, set and map names in our table, as upstream's nftables proxier names them: a fixed
// prefix, a short hash of the full identity (so names stay unique if anything is ever cut) and
// the readable identity, e.g. "service-1A2B3C4D-default/web/tcp/http" and
// "endpoint-5E6F7A8B-default/web/tcp/http__127.1.0.5/8080". nft identifiers may hold letters,
// digits and "/-_." — all of which namespaces, names, port names and IPv4 addresses are made of;
// an IPv6 endpoint's colons are written as dashes ("…__fd00--5/8080").
import { createHash } from 'node:crypto';
import type { EndpointInfo } from '../endpoint.js';
import type { ServicePortInfo } from '../service-port.js';

export const defaultTableName = 'k8ts-proxy';

// Base chains (hooked) and the regular chains and maps every table has.
export const chains = {
  filterInput: 'filter-input',
  filterForward: 'filter-forward',
  filterOutput: 'filter-output',
  /** Before DNAT for traffic from other hosts (the load-balancer source-range check). */
  filterPrerouting: 'filter-prerouting-pre-dnat',
  firewallCheck: 'firewall-check',
  natPrerouting: 'nat-prerouting',
  natOutput: 'nat-output',
  natPostrouting: 'nat-postrouting',
  services: 'services',
  serviceEndpointsCheck: 'service-endpoints-check',
  nodePortEndpointsCheck: 'nodeport-endpoints-check',
  reject: 'reject-chain',
  markForMasquerade: 'mark-for-masquerade',
  masquerading: 'masquerading',
} as const;

export const maps = {
  serviceIPs: 'service-ips',
  serviceNodePorts: 'service-nodeports',
  noEndpointServices: 'no-endpoint-services',
  noEndpointNodePorts: 'no-endpoint-nodeports',
  /** Load-balancer IP . proto . port → the service port's firewall chain (loadBalancerSourceRanges). */
  firewallIPs: 'firewall-ips',
  // The map layout (map-rules.ts): consulted first for clients on this host, for service ports
  // whose external traffic policy is Local (those clients may use any endpoint).
  serviceIPsLocalSource: 'service-ips-local-source',
  serviceNodePortsLocalSource: 'service-nodeports-local-source',
} as const;

export const sets = {
  /** ClusterIP . proto . port of the map layout: masqueraded when the client is not local. */
  clusterIPs: 'cluster-ips',
  /** externalIP/load-balancer IP . proto . port with the Cluster external policy: always masqueraded. */
  masqueradeIPs: 'masquerade-ips',
  /** proto . nodePort with the Cluster external policy: always masqueraded. */
  masqueradeNodePorts: 'masquerade-nodeports',
  /** endpoint IP . endpoint IP: a DNATed packet whose source is its new destination (hairpin) is masqueraded. */
  hairpin: 'hairpin',
} as const;

/** The shared DNAT chains of the map layout, one per kind and endpoint count, and the endpoint map each uses (see map-rules.ts). */
export type PickKind = 'ip' | 'ip-local-source' | 'nodeport' | 'nodeport-local-source';
export const pickChain = (kind: PickKind, endpoints: number) => `pick-${kind}-${endpoints}`;
export const pickMap = (kind: PickKind, endpoints: number) => `endpoints-${kind}-${endpoints}`;

export const nodePortIPsSet = 'nodeport-ips';

/** The mark upstream uses for "masquerade this packet in postrouting". */
export const masqueradeMark = '0x4000';

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();

export const protoName = (p: ServicePortInfo['protocol']) => p.toLowerCase();

/** "ns/name/proto/portName" (upstream servicePortChainNameBase). */
export function servicePortBase(sp: ServicePortInfo): string {
  return `${sp.namespace}/${sp.name}/${protoName(sp.protocol)}/${sp.portName}`;
}

const prefixed = (prefix: string, base: string) => `${prefix}-${hash(base)}-${base}`;

/** All of a service port's usable endpoints (the cluster traffic policy). */
export const serviceChain = (sp: ServicePortInfo) => prefixed('service', servicePortBase(sp));
/** Only this node's endpoints (a Local traffic policy). */
export const localChain = (sp: ServicePortInfo) => prefixed('local', servicePortBase(sp));
/** Entry for NodePort, externalIP and load-balancer traffic. */
export const externalChain = (sp: ServicePortInfo) => prefixed('external', servicePortBase(sp));
/** Drops load-balancer traffic from outside the loadBalancerSourceRanges (before DNAT). */
export const firewallChain = (sp: ServicePortInfo) => prefixed('firewall', servicePortBase(sp));

const endpointBase = (sp: ServicePortInfo, ep: EndpointInfo) => `${servicePortBase(sp)}__${ep.ip.replaceAll(':', '-')}/${ep.port}`;
export const endpointChain = (sp: ServicePortInfo, ep: EndpointInfo) => prefixed('endpoint', endpointBase(sp, ep));
/** The client addresses pinned to an endpoint (sessionAffinity ClientIP). */
/** The hash covers the timeout too: a new timeout is a new set (a set's timeout cannot be changed in place). */
export const affinitySet = (sp: ServicePortInfo, ep: EndpointInfo) => {
  const base = endpointBase(sp, ep);
  return `affinity-${hash(`${base}@${sp.affinityTimeoutSeconds ?? 0}`)}-${base}`;
};

/** The endpoint choice (index → goto endpoint chain) of a service/local chain. */
export const endpointsMap = (chain: string) => `vmap-${chain}`;
