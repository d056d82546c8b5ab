// The names the API server's serving certificate must carry. In-cluster clients reach it as
// `kubernetes.default.svc…` and through the first service IP; local clients as localhost; remote
// ones through the host name or the bind address.
import { hostname } from 'node:os';
import { isIP } from 'node:net';

/** The ClusterIP of the `kubernetes` Service: the first address of the default 10.96.0.0/12 range. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

export interface ServingNames {
  dnsNames: string[];
  ips: string[];
}

/**
 * Every name the serving certificate needs: the fixed in-cluster names plus the caller's hosts
 * and IPs. An IP given among `hosts` is moved to `ips`; unspecified addresses (0.0.0.0, ::) are
 * dropped, since no client connects to them. Throws on a string that is neither.
 */
export function servingNames(opts: { hosts: string[]; ips: string[] }): ServingNames {
  const dns = new Set<string>(['localhost']);
  const host = hostname().toLowerCase();
  if (host) dns.add(host);
  for (const n of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']) {
    dns.add(n);
  }
  const ips = new Set<string>(['127.0.0.1', '::1', KUBERNETES_SERVICE_IP]);
  for (const h of opts.hosts) {
    const name = h.trim().toLowerCase();
    if (!name) continue;
    if (isIP(name)) ips.add(name);
    else if (/^[a-z0-9*]([a-z0-9-.]*[a-z0-9])?$/.test(name)) dns.add(name);
    else throw new Error(`invalid host name for the serving certificate: ${JSON.stringify(h)}`);
  }
  for (const ip of opts.ips) {
    const addr = ip.trim();
    if (!isIP(addr)) throw new Error(`invalid IP address for the serving certificate: ${JSON.stringify(ip)}`);
    ips.add(addr);
  }
  for (const unspecified of ['0.0.0.0', '::']) ips.delete(unspecified);
  return { dnsNames: [...dns], ips: [...ips] };
}
