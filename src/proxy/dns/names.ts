// Name helpers shared by the cluster zone: normalised names, the dashed-IP labels the DNS spec
// uses for pods and endpoints without a hostname, and reverse (in-addr.arpa, ip6.arpa) names.
import { isIPv4, isIPv6 } from 'node:net';

/** Lower case, no trailing dot. */
export const normalizeName = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** 1.2.3.4 → 1-2-3-4; fd00::1 → fd00--1 (CoreDNS's endpoint hostname for an IPv6 address). */
export const dashed = (ip: string) => ip.replaceAll('.', '-').replaceAll(':', '-');

/** 1-2-3-4 → 1.2.3.4, or undefined when it is not a dashed IPv4 address. */
export function undashIPv4(label: string): string | undefined {
  const ip = label.replaceAll('-', '.');
  return isIPv4(ip) ? ip : undefined;
}

/** 4.3.2.1.in-addr.arpa → 1.2.3.4, or undefined when `name` is not a full IPv4 reverse name. */
export function reverseIPv4(name: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(name);
  if (!m) return undefined;
  const ip = `${m[4]}.${m[3]}.${m[2]}.${m[1]}`;
  return isIPv4(ip) ? ip : undefined;
}

/** An IPv6 address in canonical form (lower case, longest zero run as "::"), so differently spelled copies match. */
export function canonicalIPv6(ip: string): string {
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/** Canonical text of either family (IPv4 unchanged). */
export const canonicalIP = (ip: string) => (isIPv6(ip) ? canonicalIPv6(ip) : ip);

/** fd00--1 → fd00::1, or undefined when it is not a dashed IPv6 address. */
export function undashIPv6(label: string): string | undefined {
  const ip = label.replaceAll('-', ':');
  return isIPv6(ip) ? canonicalIPv6(ip) : undefined;
}

/** The 32 nibbles of b.a.9.8…0.0.d.f.ip6.arpa → the IPv6 address, or undefined when `name` is not a full ip6.arpa name. */
export function reverseIPv6(name: string): string | undefined {
  if (!/^([0-9a-f]\.){32}ip6\.arpa$/.test(name)) return undefined;
  const hex = name.slice(0, 63).split('.').reverse().join('');
  return canonicalIPv6(hex.match(/.{4}/g)!.join(':'));
}
