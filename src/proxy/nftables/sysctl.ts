// net.ipv4.conf.all.route_localnet: endpoints here are loopback addresses (127.1.0.0/16), and
// the kernel drops packets that arrive on a non-loopback interface and are DNATed to 127/8 (a
// "martian destination"), and refuses to route replies from 127/8 out of one, unless
// route_localnet is set. Traffic generated on this host needs no change (it stays on lo); traffic
// from other hosts to a NodePort or ClusterIP does. Set while the proxy runs, restored on stop.
import { readFile, writeFile } from 'node:fs/promises';

const path = '/proc/sys/net/ipv4/conf/all/route_localnet';

export interface SysctlChange {
  /** Whether we changed it (and so restore it). */
  readonly changed: boolean;
  restore(): Promise<void>;
}

export async function enableRouteLocalnet(): Promise<SysctlChange> {
  const before = (await readFile(path, 'utf8')).trim();
  if (before === '1') return { changed: false, restore: async () => undefined };
  await writeFile(path, '1\n');
  return { changed: true, restore: () => writeFile(path, `${before}\n`) };
}

export async function routeLocalnet(): Promise<string> {
  return (await readFile(path, 'utf8')).trim();
}
