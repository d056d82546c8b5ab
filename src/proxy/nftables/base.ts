// The fixed part of our table (upstream setupNFTables): hooked base chains, the dispatch chains
// and the verdict maps the per-service-port rules fill in. Priorities as upstream: the filter
// chains that reject traffic to services without endpoints or from outside a load balancer's
// source ranges run just before DNAT (-110),
// the DNAT chains at dstnat (-100), masquerading at srcnat (100).
import { chains, maps, masqueradeMark, nodePortIPsSet, sets } from './names.js';
import { ipv4, type NftFamily } from './family.js';
import type { NftScript } from './script.js';

/** Writes the whole fixed skeleton into `s` (assumes the table was just deleted). */
export function writeBase(s: NftScript, nodeAddresses: readonly string[], fam: NftFamily = ipv4): void {
  const t = `${s.family} ${s.table}`;
  const addr = fam.addrType;
  const ip = fam.nft;
  s.add(`add table ${t} { comment "k8ts service proxy; rewritten by the proxy, do not edit"; }`);
  const base = (name: string, type: string, hook: string, priority: string) => s.add(`add chain ${t} ${name} { type ${type} hook ${hook} priority ${priority}; policy accept; }`);
  base(chains.filterInput, 'filter', 'input', '-110');
  base(chains.filterForward, 'filter', 'forward', '-110');
  base(chains.filterOutput, 'filter', 'output', '-110');
  base(chains.filterPrerouting, 'filter', 'prerouting', '-110');
  base(chains.natPrerouting, 'nat', 'prerouting', '-100');
  base(chains.natOutput, 'nat', 'output', '-100');
  base(chains.natPostrouting, 'nat', 'postrouting', '100');
  for (const c of [chains.services, chains.serviceEndpointsCheck, chains.nodePortEndpointsCheck, chains.firewallCheck, chains.reject, chains.markForMasquerade, chains.masquerading]) s.add(`add chain ${t} ${c}`);

  s.add(`add set ${t} ${nodePortIPsSet} { type ${addr}; }`);
  s.add(`add map ${t} ${maps.serviceIPs} { type ${addr} . inet_proto . inet_service : verdict; }`);
  s.add(`add map ${t} ${maps.serviceNodePorts} { type inet_proto . inet_service : verdict; }`);
  s.add(`add map ${t} ${maps.noEndpointServices} { type ${addr} . inet_proto . inet_service : verdict; }`);
  s.add(`add map ${t} ${maps.noEndpointNodePorts} { type inet_proto . inet_service : verdict; }`);
  s.add(`add map ${t} ${maps.firewallIPs} { type ${addr} . inet_proto . inet_service : verdict; }`);
  // The map layout (map-rules.ts).
  const ipKey = `${addr} . inet_proto . inet_service`;
  s.add(`add map ${t} ${maps.serviceIPsLocalSource} { type ${ipKey} : verdict; }`);
  s.add(`add map ${t} ${maps.serviceNodePortsLocalSource} { type inet_proto . inet_service : verdict; }`);
  s.add(`add set ${t} ${sets.clusterIPs} { type ${ipKey}; }`);
  s.add(`add set ${t} ${sets.masqueradeIPs} { type ${ipKey}; }`);
  s.add(`add set ${t} ${sets.masqueradeNodePorts} { type inet_proto . inet_service; }`);
  s.add(`add set ${t} ${sets.hairpin} { type ${addr} . ${addr}; }`);
  const own = nodeAddresses.filter((a) => fam.has(a));
  if (own.length) s.add(`add element ${t} ${nodePortIPsSet} { ${own.join(', ')} }`);

  // Rejects for service ports without endpoints, before any DNAT could apply.
  s.rule(chains.filterInput, `ct state new jump ${chains.nodePortEndpointsCheck}`);
  s.rule(chains.filterInput, `ct state new jump ${chains.serviceEndpointsCheck}`);
  s.rule(chains.filterForward, `ct state new jump ${chains.serviceEndpointsCheck}`);
  s.rule(chains.filterOutput, `ct state new jump ${chains.serviceEndpointsCheck}`);
  s.rule(chains.filterOutput, `ct state new jump ${chains.nodePortEndpointsCheck}`);
  s.rule(chains.serviceEndpointsCheck, `${ip} daddr . meta l4proto . th dport vmap @${maps.noEndpointServices}`);
  // loadBalancerSourceRanges, checked before DNAT changes the destination (as upstream).
  s.rule(chains.filterPrerouting, `ct state new jump ${chains.firewallCheck}`);
  s.rule(chains.filterOutput, `ct state new jump ${chains.firewallCheck}`);
  s.rule(chains.firewallCheck, `${ip} daddr . meta l4proto . th dport vmap @${maps.firewallIPs}`);
  s.rule(chains.nodePortEndpointsCheck, `${ip} daddr @${nodePortIPsSet} meta l4proto . th dport vmap @${maps.noEndpointNodePorts}`);
  // TCP clients see a reset (ECONNREFUSED) at once; everything else an ICMP port unreachable.
  s.rule(chains.reject, 'meta l4proto tcp reject with tcp reset');
  s.rule(chains.reject, 'reject');

  // DNAT: the same dispatch for traffic from other hosts (prerouting) and from this one (output).
  s.rule(chains.natPrerouting, `jump ${chains.services}`);
  s.rule(chains.natOutput, `jump ${chains.services}`);
  // Masquerading decided before the endpoint is (map layout; the chain layout does it in the
  // service port's chains): off-node clients of a ClusterIP, and every client of an external
  // address or NodePort under the Cluster policy.
  const dst = `${ip} daddr . meta l4proto . th dport`;
  const nodePortDst = `${ip} daddr @${nodePortIPsSet} meta l4proto . th dport`;
  s.rule(chains.services, `${dst} @${sets.clusterIPs} fib saddr type != local jump ${chains.markForMasquerade}`);
  s.rule(chains.services, `${dst} @${sets.masqueradeIPs} jump ${chains.markForMasquerade}`);
  s.rule(chains.services, `fib saddr type local ${dst} vmap @${maps.serviceIPsLocalSource}`);
  s.rule(chains.services, `${dst} vmap @${maps.serviceIPs}`);
  s.rule(chains.services, `${nodePortDst} @${sets.masqueradeNodePorts} jump ${chains.markForMasquerade}`);
  s.rule(chains.services, `fib saddr type local ${nodePortDst} vmap @${maps.serviceNodePortsLocalSource}`);
  s.rule(chains.services, `${nodePortDst} vmap @${maps.serviceNodePorts}`);

  // Masquerade what the service chains marked (upstream's 0x4000 mark), and clear the mark.
  s.rule(chains.markForMasquerade, `meta mark set meta mark or ${masqueradeMark}`);
  // Hairpin (map layout): after DNAT the destination is the endpoint; a packet from that same
  // address must be masqueraded, or the endpoint would answer itself directly.
  s.rule(chains.natPostrouting, `ct status dnat ${ip} saddr . ${ip} daddr @${sets.hairpin} jump ${chains.markForMasquerade}`);
  s.rule(chains.natPostrouting, `jump ${chains.masquerading}`);
  s.rule(chains.masquerading, `meta mark & ${masqueradeMark} == 0 return`);
  s.rule(chains.masquerading, `meta mark set meta mark xor ${masqueradeMark}`);
  s.rule(chains.masquerading, 'masquerade fully-random');
}
