// The IP family a table serves. As upstream's nftables mode, each family has its own table (nft
// family `ip` for IPv4, `ip6` for IPv6) with the same layout; everything that differs between
// the two — the address match, the set key type, how an endpoint address is written in a DNAT —
// is here, so base.ts, rules.ts and map-rules.ts write either table from one description.
import { isIPv6 } from 'node:net';
import { usableEndpoints, type EndpointInfo } from '../endpoint.js';
import type { ServicePortInfo } from '../service-port.js';

export interface NftFamily {
  /** "IPv4" or "IPv6", as Service ipFamilies name them. */
  readonly ipFamily: 'IPv4' | 'IPv6';
  /** The nft table family, also the keyword of address matches ("ip daddr", "ip6 saddr"). */
  readonly nft: 'ip' | 'ip6';
  /** The set/map key type of one address. */
  readonly addrType: 'ipv4_addr' | 'ipv6_addr';
  /** Whether `ip` is an address of this family nft accepts as a literal. */
  has(ip: string): boolean;
  /** "10.0.0.1:80" or "[fd00::1]:80" for a `dnat to`. */
  hostPort(ip: string, port: number): string;
}

/** Strictly a dotted quad: nft would try to resolve anything else as a host name. */
export const isIPv4 = (ip: string) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(ip);

export const ipv4: NftFamily = { ipFamily: 'IPv4', nft: 'ip', addrType: 'ipv4_addr', has: isIPv4, hostPort: (ip, port) => `${ip}:${port}` };
// No zone ids (fe80::1%eth0) and no embedded dotted quads: plain hex groups only.
export const ipv6: NftFamily = { ipFamily: 'IPv6', nft: 'ip6', addrType: 'ipv6_addr', has: (ip) => isIPv6(ip) && /^[0-9a-fA-F:]+$/.test(ip), hostPort: (ip, port) => `[${ip}]:${port}` };

export const familyOf = (ipFamily: 'IPv4' | 'IPv6'): NftFamily => (ipFamily === 'IPv6' ? ipv6 : ipv4);

/** The service port's ClusterIP of this family (a dual-stack Service has one per family), if any. */
export const clusterIPOf = (sp: ServicePortInfo, fam: NftFamily): string | undefined => (sp.clusterIPs?.length ? sp.clusterIPs : sp.clusterIP ? [sp.clusterIP] : []).find((ip) => fam.has(ip));

/**
 * What a kernel-mode rule writer needs of one service port in family `fam`: its ClusterIP of that
 * family and the endpoints of that family to use cluster-wide and on `nodeName` (ready ones, or
 * terminating ones when none is ready); undefined when the port has no ClusterIP of the family.
 */
export function familyTargets(sp: ServicePortInfo, all: readonly EndpointInfo[], nodeName: string, fam: NftFamily): { clusterIP: string; clusterEps: EndpointInfo[]; localEps: EndpointInfo[] } | undefined {
  const clusterIP = clusterIPOf(sp, fam);
  if (!clusterIP) return undefined;
  const own = all.filter((e) => fam.has(e.ip));
  return { clusterIP, clusterEps: usableEndpoints(own), localEps: usableEndpoints(own, nodeName) };
}
