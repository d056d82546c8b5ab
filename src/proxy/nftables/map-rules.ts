// The map layout of one service port (see rules.ts for why it exists): everything a service
// port without session affinity needs is elements of the table's fixed maps and sets —
//   - service-ips / service-nodeports (verdict maps) send its destinations to a shared DNAT
//     chain "pick-<kind>-<N>", N being the number of endpoints to choose from;
//   - that chain DNATs with `numgen random mod N` as the last part of the key of its endpoint map
//     "endpoints-<kind>-<N>" (destination address . proto . port . index, or for NodePorts
//     proto . nodePort . index → endpoint address . port), so every service port with N
//     endpoints shares one chain and one map, and a changed endpoint is one element;
//   - masquerading (cluster-ips, masquerade-ips, masquerade-nodeports) and hairpin (hairpin) are
//     set lookups in the fixed chains;
//   - externalTrafficPolicy Local: the *-local-source maps, consulted first for clients on this
//     host, choose among all endpoints (masqueraded, as upstream); everyone else gets this
//     node's endpoints only, unmasqueraded, or a drop when there are none.
// The no-endpoint maps (reject/drop in the filter chains) are filled as in the chain layout.
import type { EndpointInfo } from '../endpoint.js';
import type { ServicePortInfo } from '../service-port.js';
import { chains, maps, pickChain, pickMap, protoName, sets, type PickKind } from './names.js';
import { familyTargets, ipv4, type NftFamily } from './family.js';
import { element, emptyRules, reject, type ServicePortRules, type SharedChain } from './rules.js';

/** The shared DNAT chain of `kind` over `n` endpoints, with its endpoint map. */
export function pickChainOf(kind: PickKind, n: number, fam: NftFamily = ipv4): SharedChain {
  const key = kind.startsWith('ip') ? `${fam.nft} daddr . meta l4proto . th dport` : 'meta l4proto . th dport';
  const map = pickMap(kind, n);
  const dnat = `meta l4proto { tcp, udp, sctp } dnat ${fam.nft} to ${key} . numgen random mod ${n} map @${map}`;
  return {
    maps: new Map([[map, `map { typeof ${key} . numgen random mod 1 : ${fam.nft} daddr . th dport; }`]]),
    // Clients on this host reaching a Local-policy external address are masqueraded (upstream).
    rules: kind.endsWith('local-source') ? [`jump ${chains.markForMasquerade}`, dnat] : [dnat],
  };
}

/** The map layout of one service port in the table of family `fam` (its ClusterIP and endpoints of that family). */
export function mapRulesFor(sp: ServicePortInfo, all: readonly EndpointInfo[], nodeName: string, nodePortsEnabled: boolean, fam: NftFamily = ipv4): ServicePortRules {
  const r = emptyRules();
  const targets = familyTargets(sp, all, nodeName, fam);
  if (!targets) return r;
  const { clusterIP, clusterEps, localEps } = targets;
  const proto = protoName(sp.protocol);

  /** Fills the endpoint map of `kind` with `key . i → endpoint i` and returns the verdict that DNATs to one of `eps`. */
  const pick = (kind: PickKind, key: string, eps: EndpointInfo[]): string => {
    const map = pickMap(kind, eps.length);
    eps.forEach((ep, i) => element(r, map, `${key} . ${i}`, `${ep.ip} . ${ep.port}`));
    const chain = pickChain(kind, eps.length);
    if (!r.sharedChains.has(chain)) r.sharedChains.set(chain, pickChainOf(kind, eps.length, fam));
    let hairpin = r.sharedElements.get(sets.hairpin);
    if (!hairpin) r.sharedElements.set(sets.hairpin, (hairpin = new Set()));
    for (const ep of eps) hairpin.add(`${ep.ip} . ${ep.ip}`);
    return `goto ${chain}`;
  };

  // ClusterIP traffic, by the internal traffic policy.
  const internalEps = sp.internalPolicyLocal ? localEps : clusterEps;
  const clusterKey = `${clusterIP} . ${proto} . ${sp.port}`;
  if (internalEps.length) {
    element(r, sets.clusterIPs, clusterKey, '');
    element(r, maps.serviceIPs, clusterKey, pick('ip', clusterKey, internalEps));
  } else {
    element(r, maps.noEndpointServices, clusterKey, clusterEps.length ? 'drop' : reject);
  }

  // NodePort, externalIP and load-balancer traffic, by the external traffic policy.
  const external = [...new Set([...sp.externalIPs, ...sp.loadBalancerIPs])].filter((ip) => fam.has(ip)).map((ip) => ({ nodePort: false, key: `${ip} . ${proto} . ${sp.port}` }));
  if (nodePortsEnabled && sp.nodePort) external.push({ nodePort: true, key: `${proto} . ${sp.nodePort}` });
  for (const { nodePort, key } of external) {
    const m = nodePort
      ? { kind: 'nodeport', localKind: 'nodeport-local-source', verdicts: maps.serviceNodePorts, localVerdicts: maps.serviceNodePortsLocalSource, masquerade: sets.masqueradeNodePorts, noEndpoints: maps.noEndpointNodePorts } as const
      : { kind: 'ip', localKind: 'ip-local-source', verdicts: maps.serviceIPs, localVerdicts: maps.serviceIPsLocalSource, masquerade: sets.masqueradeIPs, noEndpoints: maps.noEndpointServices } as const;
    if (!clusterEps.length) {
      element(r, m.noEndpoints, key, reject);
    } else if (!sp.externalPolicyLocal) {
      element(r, m.masquerade, key, '');
      element(r, m.verdicts, key, pick(m.kind, key, clusterEps));
    } else {
      // Clients on this host may use any endpoint (masqueraded, as upstream); others keep their
      // address and get this node's endpoints only.
      element(r, m.localVerdicts, key, pick(m.localKind, key, clusterEps));
      element(r, m.verdicts, key, localEps.length ? pick(m.kind, key, localEps) : 'drop');
    }
  }
  return r;
}
