// Name helpers shared by the cluster zone: normalised names, the dashed-IP labels the DNS spec
// uses for pods and endpoints without a hostname, and reverse (in-addr.arpa) names.
import { isIPv4 } from 'node:net';

/** Lower case, no trailing dot. */
export const normalizeName = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** 1.2.3.4 → 1-2-3-4. */
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
