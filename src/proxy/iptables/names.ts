// Chain names as upstream kube-proxy's iptables mode writes them, so an operator who knows
// `iptables-save` of a kube-proxy node reads ours the same way: fixed chains (KUBE-SERVICES,
// KUBE-NODEPORTS, …) and per-service-port chains named by a prefix and the first 16 base32
// characters of a SHA-256 over the service port's name and protocol (and the endpoint, for
// KUBE-SEP-), e.g. KUBE-SVC-ERIFXISQEP7F7OF4. The hash keeps names within iptables' 28
// characters; the readable identity is in each rule's comment.
import { createHash } from 'node:crypto';
import type { EndpointInfo } from '../endpoint.js';
import type { ServicePortInfo } from '../service-port.js';

/** Chains of the nat table every sync writes whole. */
export const natChains = {
  services: 'KUBE-SERVICES',
  nodePorts: 'KUBE-NODEPORTS',
  postrouting: 'KUBE-POSTROUTING',
  markMasq: 'KUBE-MARK-MASQ',
} as const;

/** Chains of the filter table: rejects for service ports without endpoints, health-check node ports, forwarding. */
export const filterChains = {
  services: 'KUBE-SERVICES',
  externalServices: 'KUBE-EXTERNAL-SERVICES',
  nodePorts: 'KUBE-NODEPORTS',
  forward: 'KUBE-FORWARD',
  /** Drops load-balancer traffic a KUBE-FW- chain did not DNAT (loadBalancerSourceRanges). */
  proxyFirewall: 'KUBE-PROXY-FIREWALL',
} as const;

/** Prefixes of the per-service-port nat chains (stale ones are deleted by prefix after a restart). */
export const servicePortChainPrefixes = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-SEP-'] as const;

/** The mark upstream uses for "masquerade this packet in postrouting". */
export const masqueradeMark = '0x4000';

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of the first bytes of `bytes`, enough for `chars` characters (Go's base32.StdEncoding, unpadded prefix). */
function base32Prefix(bytes: Uint8Array, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
  }
  return out;
}

const hash16 = (s: string) => base32Prefix(createHash('sha256').update(s).digest(), 16);

/** Upstream's ServicePortName.String(): "ns/name:port", or "ns/name" for an unnamed port. */
export const servicePortName = (sp: ServicePortInfo) => `${sp.namespace}/${sp.name}${sp.portName ? `:${sp.portName}` : ''}`;

export const protoName = (sp: ServicePortInfo) => sp.protocol.toLowerCase();

const portProtoHash = (sp: ServicePortInfo) => hash16(servicePortName(sp) + protoName(sp));

/** All usable endpoints (the Cluster traffic policy). */
export const clusterChain = (sp: ServicePortInfo) => `KUBE-SVC-${portProtoHash(sp)}`;
/** This node's endpoints (a Local traffic policy). */
export const localChain = (sp: ServicePortInfo) => `KUBE-SVL-${portProtoHash(sp)}`;
/** Entry for NodePort, externalIP and load-balancer traffic. */
export const externalChain = (sp: ServicePortInfo) => `KUBE-EXT-${portProtoHash(sp)}`;
/** Load-balancer traffic under loadBalancerSourceRanges: allowed sources go on to KUBE-EXT-. */
export const firewallChain = (sp: ServicePortInfo) => `KUBE-FW-${portProtoHash(sp)}`;
/** One endpoint: hairpin masquerade, affinity update, DNAT. Also the name of its `-m recent` list. */
export const endpointChain = (sp: ServicePortInfo, ep: EndpointInfo) => `KUBE-SEP-${hash16(servicePortName(sp) + protoName(sp) + ep.key)}`;
