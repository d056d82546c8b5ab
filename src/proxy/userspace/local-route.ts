// Making the service CIDR bindable. ClusterIPs such as 10.96.0.0/12 are not addresses of this
// host, so a listener cannot bind them until the range is routed locally
// (`ip route add local CIDR dev lo`, which needs root on Linux). A range inside 127.0.0.0/8 is
// already local everywhere, which is what non-root setups use. An IPv6 range is routed the same
// way (`ip -6 route add local CIDR dev lo`: IPv6 binds any address of a local route too); a
// dual-stack list ("10.96.0.0/12,fd00:10:96::/108") gets one route per CIDR. Unlike IPv4, IPv6
// receives on such a route but will not bind() an address that is not assigned: a proxy that
// listens on ClusterIPs (userspace) asks for `bindIPv6`, which sets net.ipv6.ip_nonlocal_bind=1
// while the route is ours (restored on remove).
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function ipv4ToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function parseCidr(cidr: string): { base: number; prefix: number } {
  const [ip, bits] = cidr.split('/');
  const base = ipv4ToInt(ip);
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  return { base, prefix };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { base, prefix } = parseCidr(cidr);
  const n = ipv4ToInt(ip);
  if (n === undefined) return false;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return ((n & mask) >>> 0) === ((base & mask) >>> 0);
}

/** The `n`th address of a CIDR of either family (10.96.0.0/12, 10 → 10.96.0.10; fd00:10:96::/108, 10 → fd00:10:96::a). */
export function nthAddress(cidr: string, n: number): string {
  const [ip, bits] = cidr.split('/');
  if (!ip?.includes(':')) {
    const { base, prefix } = parseCidr(cidr);
    const v = (prefix === 0 ? 0 : (base & ((~0 << (32 - prefix)) >>> 0)) >>> 0) + n;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  const prefix = Number(bits);
  if (!isIPv6(ip) || !Number.isInteger(prefix) || prefix < 0 || prefix > 128) throw new Error(`invalid IPv6 CIDR ${JSON.stringify(cidr)}`);
  // Expand "::" and read the eight groups as one number.
  const [head, tail] = ip.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const all = tail === undefined ? groups(head) : [...groups(head), ...new Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  const value = all.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
  const size = 1n << BigInt(128 - prefix);
  const v = (value & ~(size - 1n)) + BigInt(n);
  const hex = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((v >> s) & 0xffffn).toString(16)).join(':');
  return new URL(`http://[${hex}]/`).hostname.slice(1, -1);
}

export const isLoopbackRange = (cidr: string) => !cidr.includes(':') && parseCidr(cidr).prefix >= 8 && cidrContains('127.0.0.0/8', cidr.split('/')[0]);

export interface LocalRoute {
  /** Whether this proxy added the route (and so removes it on stop). */
  readonly added: boolean;
  readonly error: string | undefined;
  remove(): Promise<void>;
}

/**
 * Routes `cidr` (one CIDR, or a comma-separated list) to the loopback device unless it is
 * loopback already or routed locally already.
 * Never throws: when the route cannot be added, `error` says why and binds will fail later with
 * a message that points here.
 */
export async function ensureLocalRoute(cidr: string, opts: { bindIPv6?: boolean } = {}): Promise<LocalRoute> {
  const cidrs = cidr.split(',').map((c) => c.trim()).filter(Boolean);
  const routes = await Promise.all(cidrs.map((c) => ensureOne(c)));
  if (opts.bindIPv6 && cidrs.some((c) => c.includes(':')) && !routes.some((r) => r.error)) routes.push(await allowNonlocalBindIPv6());
  if (routes.length === 1) return routes[0];
  const errors = routes.map((r) => r.error).filter((e): e is string => !!e);
  return {
    added: routes.some((r) => r.added),
    error: errors.length ? errors.join('; ') : undefined,
    remove: async () => void (await Promise.all(routes.map((r) => r.remove()))),
  };
}

const nonlocalBindPath = '/proc/sys/net/ipv6/ip_nonlocal_bind';

/** net.ipv6.ip_nonlocal_bind=1 until removed (then as it was), so listeners can bind IPv6 ClusterIPs. */
async function allowNonlocalBindIPv6(): Promise<LocalRoute> {
  try {
    const before = (await readFile(nonlocalBindPath, 'utf8')).trim();
    if (before === '1') return { added: false, error: undefined, remove: async () => undefined };
    await writeFile(nonlocalBindPath, '1\n');
    return { added: true, error: undefined, remove: () => writeFile(nonlocalBindPath, `${before}\n`).catch(() => undefined) };
  } catch (err) {
    return { added: false, error: `cannot set net.ipv6.ip_nonlocal_bind, so IPv6 ClusterIPs cannot be bound: ${(err as Error).message}`, remove: async () => undefined };
  }
}

async function ensureOne(cidr: string): Promise<LocalRoute> {
  const none = (error?: string): LocalRoute => ({ added: false, error, remove: async () => undefined });
  const ip = cidr.includes(':') ? ['-6'] : [];
  if (isLoopbackRange(cidr)) return none();
  if (process.platform !== 'linux') return none(`the service CIDR ${cidr} is not local on ${process.platform}; use a loopback serviceCidr such as 127.96.0.0/16`);
  if (process.getuid?.() !== 0) return none(`the service CIDR ${cidr} is not local and adding a local route needs root; run as root or use a loopback serviceCidr such as 127.96.0.0/16`);
  try {
    const { stdout } = await run('ip', [...ip, 'route', 'show', 'table', 'local', cidr]);
    if (stdout.trim()) return none();
    await run('ip', [...ip, 'route', 'add', 'local', cidr, 'dev', 'lo']);
  } catch (err) {
    const msg = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    // Another proxy on this host added it between our check and our add: it is there, not ours.
    if (/File exists/i.test(msg)) return none();
    return none(`cannot add a local route for the service CIDR ${cidr} (ip ${ip.map((f) => `${f} `).join('')}route add local ${cidr} dev lo): ${msg}`);
  }
  return {
    added: true,
    error: undefined,
    remove: async () => {
      await run('ip', [...ip, 'route', 'del', 'local', cidr, 'dev', 'lo']).catch(() => undefined);
    },
  };
}
