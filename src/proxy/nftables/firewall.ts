// loadBalancerSourceRanges in the nftables table, for either layout (upstream's nftables
// proxier): each load-balancer IP . proto . port of the service port is an element of the
// firewall-ips verdict map, checked before DNAT, leading to the port's firewall chain, which
// drops every source outside the allowed ones (../source-ranges.ts).
import type { ServicePortInfo } from '../service-port.js';
import { firewallSources } from '../source-ranges.js';
import type { NftFamily } from './family.js';
import { firewallChain, maps, protoName } from './names.js';
import { element, type ServicePortRules } from './rules.js';

export function addFirewall(r: ServicePortRules, sp: ServicePortInfo, fam: NftFamily, nodeIPs: readonly string[]): void {
  const sources = firewallSources(sp, fam, nodeIPs);
  if (!sources) return;
  const chain = firewallChain(sp);
  r.chains.set(chain, [`${fam.nft} saddr != { ${sources.join(', ')} } drop`]);
  const proto = protoName(sp.protocol);
  for (const ip of new Set(sp.loadBalancerIPs.filter(fam.has))) element(r, maps.firewallIPs, `${ip} . ${proto} . ${sp.port}`, `goto ${chain}`);
}
