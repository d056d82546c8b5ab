// What one service port needs in the nat and filter tables (upstream syncProxyRules' per-service
// section), as plain data so the proxier can diff it against what it wrote last time:
//   - its own nat chains: KUBE-SVC- (all usable endpoints, Cluster policy), KUBE-SVL- (this
//     node's, Local policy), KUBE-EXT- (NodePort/externalIP/load-balancer entry) and one KUBE-SEP-
//     per endpoint (hairpin masquerade, affinity update, DNAT);
//   - its rules in the shared chains: nat KUBE-SERVICES (ClusterIP, externalIPs, load-balancer
//     IPs) and KUBE-NODEPORTS, filter KUBE-SERVICES (a ClusterIP without endpoints: REJECT, or
//     DROP when only other nodes have some under internalTrafficPolicy Local),
//     KUBE-EXTERNAL-SERVICES (the same for external destinations), KUBE-NODEPORTS (accepting
//     a health-check node port) and KUBE-PROXY-FIREWALL (load-balancer traffic that its
//     KUBE-FW- chain, the loadBalancerSourceRanges check, let through without DNAT: dropped).
// Pods are host processes here, so "from a pod" (upstream: the local-traffic detector) is "from
// a local address" (`-m addrtype --src-type LOCAL`): ClusterIP traffic from elsewhere is
// masqueraded, as upstream masquerades off-cluster traffic to a ClusterIP. One family per
// table set: iptables writes the IPv4 rules, ip6tables the IPv6 ones (see ./family.ts).
import type { EndpointInfo } from '../endpoint.js';
import type { ServicePortInfo } from '../service-port.js';
import { familyTargets, ipv4, type NftFamily } from '../nftables/family.js';
import { firewallSources } from '../source-ranges.js';
import { hostAddress, recentMask } from './family.js';
import { clusterChain, endpointChain, externalChain, filterChains, firewallChain, localChain, natChains, protoName, servicePortName } from './names.js';

export type Table = 'nat' | 'filter';

/** A rule in a chain other service ports write to as well; `rule` is the text after "-A CHAIN ". */
export interface SharedRule {
  table: Table;
  chain: string;
  rule: string;
}

export interface ServicePortRules {
  /** Its own nat chains: name → rules (each the text after "-A NAME "), in order. */
  chains: Map<string, string[]>;
  /** Its rules in shared chains, by `sharedRuleId`. */
  shared: Map<string, SharedRule>;
}

export const emptyRules = (): ServicePortRules => ({ chains: new Map(), shared: new Map() });
export const hasRules = (r: ServicePortRules) => r.chains.size > 0 || r.shared.size > 0;
export const sharedRuleId = (r: SharedRule) => `${r.table} ${r.chain} ${r.rule}`;

const comment = (text: string) => `-m comment --comment "${text}"`;

/** upstream: fmt.Sprintf("%0.10f", 1.0/float64(n-i)) */
const probability = (remaining: number) => (1 / remaining).toFixed(10);

/**
 * The rules of one service port in family `fam`, given all its endpoints (the ready/terminating
 * choice and the traffic policies are applied here). `nodePortsEnabled` false leaves NodePorts
 * out (no node addresses to serve them on).
 */
export function rulesFor(sp: ServicePortInfo, all: readonly EndpointInfo[], nodeName: string, nodePortsEnabled: boolean, fam: NftFamily = ipv4, nodeIPs: readonly string[] = []): ServicePortRules {
  const r = emptyRules();
  // A dual-stack Service's ClusterIP of this family may be its second one.
  const targets = familyTargets(sp, all, nodeName, fam);
  if (!targets) return r;
  const { clusterIP, clusterEps, localEps } = targets;
  const name = servicePortName(sp);
  const proto = protoName(sp);
  const match = `-p ${proto} -m ${proto}`;
  const externalIPs = [...new Set(sp.externalIPs)].filter(fam.has);
  const lbIPs = [...new Set(sp.loadBalancerIPs)].filter((ip) => fam.has(ip) && !externalIPs.includes(ip));
  const nodePort = nodePortsEnabled ? sp.nodePort : 0;
  const externallyAccessible = nodePort > 0 || externalIPs.length > 0 || lbIPs.length > 0;
  const shared = (table: Table, chain: string, rule: string) => {
    const s = { table, chain, rule };
    r.shared.set(sharedRuleId(s), s);
  };

  const hasEndpoints = clusterEps.length > 0 || localEps.length > 0;
  const hasInternalEndpoints = sp.internalPolicyLocal ? localEps.length > 0 : hasEndpoints;
  const hasExternalEndpoints = sp.externalPolicyLocal ? localEps.length > 0 : hasEndpoints;
  const usesClusterChain = clusterEps.length > 0 && (!sp.internalPolicyLocal || externallyAccessible);
  const usesLocalChain = localEps.length > 0 && (sp.internalPolicyLocal || (sp.externalPolicyLocal && externallyAccessible));
  const internalChain = sp.internalPolicyLocal ? localChain(sp) : clusterChain(sp);
  const externalPolicyChain = sp.externalPolicyLocal ? localChain(sp) : clusterChain(sp);
  const usesExternalChain = hasEndpoints && externallyAccessible;
  const ext = externalChain(sp);
  const fwSources = hasEndpoints ? firewallSources(sp, fam, nodeIPs) : undefined;
  const fw = firewallChain(sp);

  // Where nothing can serve: REJECT when the service port has no endpoints at all, DROP when
  // only other nodes have some (a Local policy).
  const filter = hasEndpoints ? { target: 'DROP', comment: comment(`${name} has no local endpoints`) } : { target: 'REJECT', comment: comment(`${name} has no endpoints`) };

  // ClusterIP.
  const clusterIPMatch = `${match} -d ${hostAddress(fam, clusterIP)} --dport ${sp.port}`;
  if (hasInternalEndpoints) shared('nat', natChains.services, `${comment(`${name} cluster IP`)} ${clusterIPMatch} -j ${internalChain}`);
  else shared('filter', filterChains.services, `${filter.comment} ${clusterIPMatch} -j ${filter.target}`);

  // externalIPs and load-balancer ingress IPs.
  for (const [ips, what] of [[externalIPs, 'external IP'], [lbIPs, 'loadbalancer IP']] as const) {
    for (const ip of ips) {
      const dst = `${match} -d ${hostAddress(fam, ip)} --dport ${sp.port}`;
      const lbFirewalled = what === 'loadbalancer IP' && fwSources;
      if (hasEndpoints) shared('nat', natChains.services, `${comment(`${name} ${what}`)} ${dst} -j ${lbFirewalled ? fw : ext}`);
      if (lbFirewalled) shared('filter', filterChains.proxyFirewall, `${comment(`${name} traffic not accepted by ${fw}`)} ${dst} -j DROP`);
      if (!hasExternalEndpoints) shared('filter', filterChains.externalServices, `${filter.comment} ${dst} -j ${filter.target}`);
    }
  }

  // loadBalancerSourceRanges: allowed sources go on to the external chain; the rest fall
  // through un-DNATed and are dropped by their KUBE-PROXY-FIREWALL rule.
  if (fwSources) {
    const rules = fwSources.map((src) => `${comment(`${name} loadbalancer IP`)} -s ${src.includes('/') ? src : hostAddress(fam, src)} -j ${ext}`);
    rules.push(comment(`other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL`));
    r.chains.set(fw, rules);
  }

  // NodePort (on the node addresses KUBE-SERVICES sends to KUBE-NODEPORTS).
  if (nodePort) {
    if (hasEndpoints) shared('nat', natChains.nodePorts, `${comment(name)} ${match} --dport ${nodePort} -j ${ext}`);
    if (!hasExternalEndpoints) shared('filter', filterChains.externalServices, `${filter.comment} -m addrtype --dst-type LOCAL ${match} --dport ${nodePort} -j ${filter.target}`);
  }
  if (sp.healthCheckNodePort) shared('filter', filterChains.nodePorts, `${comment(`${name} health check node port`)} -p tcp -m tcp --dport ${sp.healthCheckNodePort} -j ACCEPT`);

  // The external chain: masquerade (Cluster policy) or keep the client address and use this
  // node's endpoints only (Local policy), except for clients on this host, which are
  // masqueraded and may use any endpoint (the external address is theirs, so it would be
  // the reply's destination).
  if (usesExternalChain) {
    const rules: string[] = [];
    if (!sp.externalPolicyLocal) {
      rules.push(`${comment(`masquerade traffic for ${name} external destinations`)} -j ${natChains.markMasq}`);
    } else {
      rules.push(`${comment(`masquerade LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${natChains.markMasq}`);
      if (clusterEps.length) rules.push(`${comment(`route LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${clusterChain(sp)}`);
    }
    if (hasExternalEndpoints) rules.push(`-j ${externalPolicyChain}`);
    r.chains.set(ext, rules);
  }

  const used = new Map<string, EndpointInfo>();
  /** A chain choosing among `eps`: clients pinned by affinity first, then at random (each rule takes its share of what is left). */
  const balance = (chain: string, eps: EndpointInfo[], masqueradeOffNode: boolean) => {
    const rules: string[] = [];
    // Upstream puts this in the internal chain only, matching the ClusterIP, because the same chain is reached from KUBE-EXT-.
    if (masqueradeOffNode) rules.push(`${comment(`${name} cluster IP`)} ${clusterIPMatch} -m addrtype ! --src-type LOCAL -j ${natChains.markMasq}`);
    if (sp.affinityTimeoutSeconds !== undefined) {
      for (const ep of eps) {
        const sep = endpointChain(sp, ep);
        rules.push(`${comment(`${name} -> ${ep.key}`)} -m recent --rcheck --seconds ${sp.affinityTimeoutSeconds} --reap --name ${sep} --mask ${recentMask(fam)} --rsource -j ${sep}`);
      }
    }
    eps.forEach((ep, i) => {
      const pick = i < eps.length - 1 ? ` -m statistic --mode random --probability ${probability(eps.length - i)}` : '';
      rules.push(`${comment(`${name} -> ${ep.key}`)}${pick} -j ${endpointChain(sp, ep)}`);
    });
    r.chains.set(chain, rules);
    for (const ep of eps) used.set(ep.key, ep);
  };
  if (usesClusterChain) balance(clusterChain(sp), clusterEps, !sp.internalPolicyLocal);
  if (usesLocalChain) balance(localChain(sp), localEps, sp.internalPolicyLocal);

  for (const ep of used.values()) {
    const rules = [`${comment(name)} -s ${hostAddress(fam, ep.ip)} -j ${natChains.markMasq}`];
    const sep = endpointChain(sp, ep);
    const recent = sp.affinityTimeoutSeconds !== undefined ? ` -m recent --set --name ${sep} --mask ${recentMask(fam)} --rsource` : '';
    rules.push(`${comment(name)}${recent} ${match} -j DNAT --to-destination ${fam.hostPort(ep.ip, ep.port)}`);
    r.chains.set(sep, rules);
  }
  return r;
}
