// The host's resolvers, from /etc/resolv.conf, minus any that would send a query back to this
// DNS server (a loopback stub at our own address and port, or the cluster DNS ClusterIP, which
// the proxy forwards to us): forwarding there would loop.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

export function parseResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const host = m[1].replace(/%.*$/, '');
    if (isIP(host)) out.push({ host, port: 53 });
  }
  return out;
}

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';
const isWildcard = (ip: string) => ip === '0.0.0.0' || ip === '::';

/** Whether a query sent to `up` would reach the server listening at `self` (or an address in `alsoSelf`). */
export function wouldLoop(up: Upstream, self: { address: string; port: number }, alsoSelf: string[] = []): boolean {
  if (alsoSelf.includes(up.host)) return true;
  if (up.port !== self.port) return false;
  return up.host === self.address || (isWildcard(self.address) && isLoopback(up.host));
}

export function hostUpstreams(self: { address: string; port: number }, alsoSelf: string[] = [], path = '/etc/resolv.conf'): Upstream[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return parseResolvConf(text).filter((u) => !wouldLoop(u, self, alsoSelf));
}
