// The fixed part of our rules (upstream syncProxyRules' preamble and its EnsureRule jumps): the
// hooks from the built-in chains into ours, the chains every sync owns whole, and their fixed
// rules. Written on every full sync, after the jumps a previous run left are deleted; removed
// the same way on stop.
import type { NftFamily } from '../nftables/family.js';
import { hostAddress } from './family.js';
import { filterChains, masqueradeMark, natChains, servicePortChainPrefixes } from './names.js';
import type { SavedTable } from './iptables.js';
import type { RestoreInput } from './restore-input.js';
import type { Table } from './rules.js';

const comment = (text: string) => `-m comment --comment "${text}"`;
const isNew = '-m conntrack --ctstate NEW';

/** Jumps from the built-in chains into ours, in the order they appear there (inserted at the top). */
export const jumps: Record<Table, { chain: string; rule: string }[]> = {
  filter: [
    { chain: 'INPUT', rule: `${isNew} ${comment('kubernetes load balancer firewall')} -j ${filterChains.proxyFirewall}` },
    { chain: 'INPUT', rule: `${comment('kubernetes health check service ports')} -j ${filterChains.nodePorts}` },
    { chain: 'INPUT', rule: `${isNew} ${comment('kubernetes externally-visible service portals')} -j ${filterChains.externalServices}` },
    // ClusterIPs are local addresses here (the service CIDR is routed to lo), so traffic to
    // them from elsewhere takes INPUT, not FORWARD as upstream's.
    { chain: 'INPUT', rule: `${isNew} ${comment('kubernetes service portals')} -j ${filterChains.services}` },
    { chain: 'FORWARD', rule: `${isNew} ${comment('kubernetes load balancer firewall')} -j ${filterChains.proxyFirewall}` },
    { chain: 'FORWARD', rule: `${comment('kubernetes forwarding rules')} -j ${filterChains.forward}` },
    { chain: 'FORWARD', rule: `${isNew} ${comment('kubernetes service portals')} -j ${filterChains.services}` },
    { chain: 'FORWARD', rule: `${isNew} ${comment('kubernetes externally-visible service portals')} -j ${filterChains.externalServices}` },
    { chain: 'OUTPUT', rule: `${isNew} ${comment('kubernetes load balancer firewall')} -j ${filterChains.proxyFirewall}` },
    { chain: 'OUTPUT', rule: `${isNew} ${comment('kubernetes service portals')} -j ${filterChains.services}` },
  ],
  nat: [
    { chain: 'PREROUTING', rule: `${comment('kubernetes service portals')} -j ${natChains.services}` },
    { chain: 'OUTPUT', rule: `${comment('kubernetes service portals')} -j ${natChains.services}` },
    { chain: 'POSTROUTING', rule: `${comment('kubernetes postrouting rules')} -j ${natChains.postrouting}` },
  ],
};

const ownFixed: Record<Table, string[]> = { filter: Object.values(filterChains), nat: Object.values(natChains) };

/** Whether `chain` of `table` is one of ours (fixed or per service port). */
export function isOurs(table: Table, chain: string): boolean {
  return ownFixed[table].includes(chain) || (table === 'nat' && servicePortChainPrefixes.some((p) => chain.startsWith(p)));
}

/** Deletes every rule of a built-in chain that jumps to one of ours (whatever an earlier version wrote). */
export function deleteJumps(input: RestoreInput, table: Table, saved: SavedTable): void {
  for (const [chain, rules] of saved.chains) {
    if (isOurs(table, chain) || chain.startsWith('KUBE-')) continue;
    for (const rule of rules) {
      const target = /(?:^| )-j (\S+)/.exec(rule)?.[1];
      if (target && isOurs(table, target)) input.rule(table, `-D ${chain} ${rule}`);
    }
  }
}

/**
 * Declares (so empties) the fixed chains and writes their fixed rules and the jumps into them;
 * all but KUBE-MARK-MASQ, which the endpoint chains need before these are written (writeMarkMasq).
 */
export function writeBase(input: RestoreInput): void {
  for (const table of ['filter', 'nat'] as const) {
    for (const c of ownFixed[table]) if (!(table === 'nat' && c === natChains.markMasq)) input.declare(table, c);
    for (const j of [...jumps[table]].reverse()) input.rule(table, `-I ${j.chain} 1 ${j.rule}`);
  }
  input.rule('filter', `-A ${filterChains.forward} ${comment('kubernetes forwarding rules')} -m mark --mark ${masqueradeMark}/${masqueradeMark} -j ACCEPT`);
  input.rule('filter', `-A ${filterChains.forward} ${comment('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  input.rule('nat', `-A ${natChains.postrouting} -m mark ! --mark ${masqueradeMark}/${masqueradeMark} -j RETURN`);
  // Clear the mark so a packet that re-traverses the stack is not masqueraded twice.
  input.rule('nat', `-A ${natChains.postrouting} -j MARK --xor-mark ${masqueradeMark}`);
  input.rule('nat', `-A ${natChains.postrouting} ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`);
}

/** KUBE-MARK-MASQ (declared, so emptied, and written; the same content every time). */
export function writeMarkMasq(input: RestoreInput): void {
  input.declare('nat', natChains.markMasq);
  input.rule('nat', `-A ${natChains.markMasq} -j MARK --or-mark ${masqueradeMark}`);
}

/**
 * The last rules of nat KUBE-SERVICES: traffic to a node address goes on to KUBE-NODEPORTS
 * (upstream: "this must be the last rule in this chain"; incremental updates insert service
 * rules at the top so these stay last).
 */
export function writeNodePortJumps(input: RestoreInput, nodeAddresses: readonly string[], fam: NftFamily): void {
  for (const ip of nodeAddresses.filter(fam.has)) input.rule('nat', `-A ${natChains.services} ${comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} -d ${hostAddress(fam, ip)} -j ${natChains.nodePorts}`);
}
