// What differs between the IPv4 tables (iptables) and the IPv6 ones (ip6tables): the tools, how
// one host is written in a match, and the `recent` match's full mask. Upstream's dual-stack
// kube-proxy runs one iptables proxier per family the same way.
import type { IpFamily } from '../meta-proxier.js';
import type { NftFamily } from '../nftables/family.js';

export const toolPaths: Record<IpFamily, { restore: string; save: string }> = {
  IPv4: { restore: '/usr/sbin/iptables-restore', save: '/usr/sbin/iptables-save' },
  IPv6: { restore: '/usr/sbin/ip6tables-restore', save: '/usr/sbin/ip6tables-save' },
};

/** "10.0.0.1/32" or "fd00::1/128". */
export const hostAddress = (fam: NftFamily, ip: string) => `${ip}/${fam.ipFamily === 'IPv6' ? 128 : 32}`;

/** The mask that keeps the whole source address in a `recent` list (what iptables-save shows when none is given). */
export const recentMask = (fam: NftFamily) => (fam.ipFamily === 'IPv6' ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' : '255.255.255.255');
