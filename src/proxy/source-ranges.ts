// loadBalancerSourceRanges as kube-proxy applies them: only to traffic addressed to the
// Service's load-balancer IPs (not its NodePorts: "for better or for worse, nodeports are not
// subject to loadBalancerSourceRanges"), per IP family, allowing the listed client ranges and —
// when a range contains this node's address — the load-balancer IPs themselves, because a
// request from the node to a VIP that is a local address loops back with the VIP as its source.
import { BlockList } from 'node:net';
import type { NftFamily } from './nftables/family.js';
import type { ServicePortInfo } from './service-port.js';

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';

/** Parses "10.0.0.0/8" or "fd00::/64" of family `fam`; undefined for anything else (validation should have refused it). */
function parseRange(cidr: string, fam: NftFamily): { net: string; bits: number } | undefined {
  const [net, bitsText, extra] = cidr.split('/');
  const max = fam.ipFamily === 'IPv6' ? 128 : 32;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (extra !== undefined || !fam.has(net) || !Number.isInteger(bits) || bits < 0 || bits > max) return undefined;
  return { net, bits };
}

/**
 * The sources allowed to reach the service port's load-balancer IPs of family `fam`, or
 * undefined when no firewall applies (no source ranges or no load-balancer IP of the family).
 * `nodeIPs`: this node's addresses (loopback ones are not node IPs here).
 */
export function firewallSources(sp: ServicePortInfo, fam: NftFamily, nodeIPs: readonly string[]): string[] | undefined {
  const lbIPs = [...new Set(sp.loadBalancerIPs)].filter(fam.has);
  if (!lbIPs.length) return undefined;
  const ranges: string[] = [];
  const list = new BlockList();
  const type = fam.ipFamily === 'IPv6' ? 'ipv6' : 'ipv4';
  for (const cidr of sp.loadBalancerSourceRanges) {
    const r = parseRange(cidr, fam);
    if (!r) continue;
    ranges.push(`${r.net}/${r.bits}`);
    list.addSubnet(r.net, r.bits, type);
  }
  if (!ranges.length) return undefined;
  const allowFromNode = nodeIPs.some((ip) => fam.has(ip) && !isLoopback(ip) && list.check(ip, type));
  return allowFromNode ? [...ranges, ...lbIPs] : ranges;
}

/** A check of client addresses against firewallSources' result, built once (userspace mode checks each connection). */
export function sourceFilter(sources: readonly string[]): (clientIP: string | undefined) => boolean {
  const list = new BlockList();
  for (const s of sources) {
    const [net, bits] = s.split('/');
    const type = net.includes(':') ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(net, type);
    else list.addSubnet(net, Number(bits), type);
  }
  return (clientIP) => {
    if (!clientIP) return false;
    // An IPv4 client of a dual-stack socket appears as ::ffff:a.b.c.d.
    const ip = clientIP.startsWith('::ffff:') && clientIP.includes('.') ? clientIP.slice(7) : clientIP;
    return list.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
  };
}
