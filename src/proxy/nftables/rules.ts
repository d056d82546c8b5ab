// What one service port needs in our table (upstream syncProxyRules' per-service section), as
// plain data so the proxier can diff it against what it wrote last time. Two layouts:
//   - the map layout (map-rules.ts), for every service port without session affinity: only
//     elements of the table's fixed maps and sets, plus shared DNAT chains (one per endpoint
//     count). A sync then costs nft little however many services there are: every `nft -f`
//     first lists all chains and sets of the table, and one chain per service port (let alone
//     per endpoint) made that 0.6–1 s at 5,000 services × 10 endpoints;
//   - the chain layout (below, upstream's), for sessionAffinity ClientIP, which needs a chain
//     and a recent-match set per endpoint:
//   - its chains: "service-…" (all usable endpoints), "local-…" (this node's, for a Local traffic
//     policy), "external-…" (NodePort/externalIP/load-balancer entry) and one "endpoint-…" per
//     endpoint doing the DNAT;
//   - its affinity sets (sessionAffinity ClientIP): per endpoint, the client addresses pinned to it;
//   - its elements in the verdict maps: service-ips / service-nodeports send traffic to its
//     chains; no-endpoint-services / no-endpoint-nodeports reject (no endpoints at all) or drop
//     (endpoints, but none local under a Local policy) in the filter chains.
// Pods are host processes here, so "from a pod" (upstream: saddr in the cluster CIDR) is
// "from a local address": ClusterIP traffic from a non-local source is masqueraded, as upstream
// masquerades off-cluster traffic to a ClusterIP.
import type { EndpointInfo } from '../endpoint.js';
import type { ServicePortInfo } from '../service-port.js';
import { familyTargets, ipv4, type NftFamily } from './family.js';
import { affinitySet, chains, endpointChain, endpointsMap, externalChain, localChain, maps, protoName, serviceChain } from './names.js';

export interface ServicePortRules {
  /** Chain name → its rules, each the text after `add rule <family> <table> <chain>`. */
  chains: Map<string, string[]>;
  /** Sets and maps of its own (affinity sets, endpoint vmaps): name → "set {…}" or "map {…}". */
  sets: Map<string, string>;
  /** Set or map name (shared or its own) → element key → value ("" for a set element). */
  elements: Map<string, Map<string, string>>;
  /** Chains shared with other service ports (map layout's pick-…), by name. Created when first needed, kept until a full rewrite. */
  sharedChains: Map<string, SharedChain>;
  /** Set elements other service ports may need too (hairpin pairs): set name → keys. Reference-counted by the proxier. */
  sharedElements: Map<string, Set<string>>;
}

/** A shared chain and the maps its rules use, created together in one transaction. */
export interface SharedChain {
  /** Map name → "map {…}" declaration. */
  maps: Map<string, string>;
  rules: string[];
}

export const emptyRules = (): ServicePortRules => ({ chains: new Map(), sets: new Map(), elements: new Map(), sharedChains: new Map(), sharedElements: new Map() });

/** Whether the service port has anything in the table. */
export const hasRules = (r: ServicePortRules) => r.chains.size > 0 || r.elements.size > 0 || r.sharedElements.size > 0;

export { isIPv4 } from './family.js';
export const reject = `goto ${chains.reject}`;

export function element(r: ServicePortRules, map: string, key: string, verdict: string): void {
  let m = r.elements.get(map);
  if (!m) r.elements.set(map, (m = new Map()));
  m.set(key, verdict);
}

/**
 * The chain layout of one service port, given all its endpoints (the ready/terminating choice
 * and the traffic policies are applied here), in the table of family `fam`: its ClusterIP and
 * endpoints of that family. Nothing for headless service ports.
 */
export function chainRulesFor(sp: ServicePortInfo, all: readonly EndpointInfo[], nodeName: string, nodePortsEnabled: boolean, fam: NftFamily = ipv4): ServicePortRules {
  const r = emptyRules();
  const targets = familyTargets(sp, all, nodeName, fam);
  if (!targets) return r;
  const { clusterIP, clusterEps, localEps } = targets;
  const proto = protoName(sp.protocol);
  const ip = fam.nft;
  const externalIPs = [...new Set([...sp.externalIPs, ...sp.loadBalancerIPs])].filter((a) => fam.has(a));
  const nodePort = nodePortsEnabled ? sp.nodePort : 0;
  const hasExternal = externalIPs.length > 0 || nodePort > 0;
  const affinity = sp.affinityTimeoutSeconds;

  const endpointsUsed = new Map<string, EndpointInfo>();
  /**
   * A chain spreading over `eps` at random (after the affinity checks), with `prefix` rules
   * first. Upstream writes the choice as an anonymous vmap in the rule; we keep it in a named
   * map of the chain's own, because binding an anonymous set costs the kernel a walk of the
   * whole transaction (5,000 of them made a full sync of 5,000 services take 45 s instead of
   * a few), and because a changed endpoint then only changes map elements, not the rule.
   */
  const balance = (name: string, eps: EndpointInfo[], prefix: string[]) => {
    const rules = [...prefix];
    if (affinity !== undefined) for (const ep of eps) rules.push(`${ip} saddr @${affinitySet(sp, ep)} goto ${endpointChain(sp, ep)}`);
    const vmap = endpointsMap(name);
    r.sets.set(vmap, 'map { typeof numgen random mod 1 : verdict; }');
    eps.forEach((ep, i) => element(r, vmap, String(i), `goto ${endpointChain(sp, ep)}`));
    rules.push(`numgen random mod ${eps.length} vmap @${vmap}`);
    r.chains.set(name, rules);
    for (const ep of eps) endpointsUsed.set(ep.key, ep);
  };

  // ClusterIP traffic, by the internal traffic policy.
  const internalEps = sp.internalPolicyLocal ? localEps : clusterEps;
  const clusterIPMatch = `${clusterIP} . ${proto} . ${sp.port}`;
  const masqueradeOffNode = `${ip} daddr ${clusterIP} meta l4proto ${proto} th dport ${sp.port} fib saddr type != local jump ${chains.markForMasquerade}`;
  if (internalEps.length) {
    const name = sp.internalPolicyLocal ? localChain(sp) : serviceChain(sp);
    element(r, maps.serviceIPs, clusterIPMatch, `goto ${name}`);
    balance(name, internalEps, [masqueradeOffNode]);
  } else {
    element(r, maps.noEndpointServices, clusterIPMatch, clusterEps.length ? 'drop' : reject);
  }

  // NodePort, externalIP and load-balancer traffic, by the external traffic policy.
  if (hasExternal) {
    let target: string;
    if (!clusterEps.length) {
      target = '';
    } else {
      target = `goto ${externalChain(sp)}`;
      if (!r.chains.has(serviceChain(sp))) balance(serviceChain(sp), clusterEps, sp.internalPolicyLocal ? [] : [masqueradeOffNode]);
      if (!sp.externalPolicyLocal) {
        r.chains.set(externalChain(sp), [`jump ${chains.markForMasquerade}`, `goto ${serviceChain(sp)}`]);
      } else {
        // Local policy: keep the client address (no masquerade) and use only this node's
        // endpoints, except for traffic from this host, which may go anywhere (upstream does
        // the same for node-local clients).
        const rules = [`fib saddr type local jump ${chains.markForMasquerade}`, `fib saddr type local goto ${serviceChain(sp)}`];
        if (localEps.length) {
          if (!r.chains.has(localChain(sp))) balance(localChain(sp), localEps, []);
          rules.push(`goto ${localChain(sp)}`);
        } else {
          rules.push('drop');
        }
        r.chains.set(externalChain(sp), rules);
      }
    }
    for (const ip of externalIPs) {
      if (target) element(r, maps.serviceIPs, `${ip} . ${proto} . ${sp.port}`, target);
      else element(r, maps.noEndpointServices, `${ip} . ${proto} . ${sp.port}`, reject);
    }
    if (nodePort) {
      if (target) element(r, maps.serviceNodePorts, `${proto} . ${nodePort}`, target);
      else element(r, maps.noEndpointNodePorts, `${proto} . ${nodePort}`, reject);
    }
  }

  for (const ep of endpointsUsed.values()) {
    const rules = [`${ip} saddr ${ep.ip} jump ${chains.markForMasquerade}`];
    if (affinity !== undefined) {
      const set = affinitySet(sp, ep);
      r.sets.set(set, `set { type ${fam.addrType}; flags dynamic,timeout; timeout ${affinity}s; }`);
      rules.push(`update @${set} { ${ip} saddr }`);
    }
    rules.push(`meta l4proto ${proto} dnat to ${fam.hostPort(ep.ip, ep.port)}`);
    r.chains.set(endpointChain(sp, ep), rules);
  }
  return r;
}
