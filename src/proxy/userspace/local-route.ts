// Making the service CIDR bindable. ClusterIPs such as 10.96.0.0/12 are not addresses of this
// host, so a listener cannot bind them until the range is routed locally
// (`ip route add local CIDR dev lo`, which needs root on Linux). A range inside 127.0.0.0/8 is
// already local everywhere, which is what non-root setups use.
import { execFile } from 'node:child_process';
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

export const isLoopbackRange = (cidr: string) => parseCidr(cidr).prefix >= 8 && cidrContains('127.0.0.0/8', cidr.split('/')[0]);

export interface LocalRoute {
  /** Whether this proxy added the route (and so removes it on stop). */
  readonly added: boolean;
  readonly error: string | undefined;
  remove(): Promise<void>;
}

/**
 * Routes `cidr` to the loopback device unless it is loopback already or routed locally already.
 * Never throws: when the route cannot be added, `error` says why and binds will fail later with
 * a message that points here.
 */
export async function ensureLocalRoute(cidr: string): Promise<LocalRoute> {
  const none = (error?: string): LocalRoute => ({ added: false, error, remove: async () => undefined });
  if (isLoopbackRange(cidr)) return none();
  if (process.platform !== 'linux') return none(`the service CIDR ${cidr} is not local on ${process.platform}; use a loopback serviceCidr such as 127.96.0.0/16`);
  if (process.getuid?.() !== 0) return none(`the service CIDR ${cidr} is not local and adding a local route needs root; run as root or use a loopback serviceCidr such as 127.96.0.0/16`);
  try {
    const { stdout } = await run('ip', ['route', 'show', 'table', 'local', cidr]);
    if (stdout.trim()) return none();
    await run('ip', ['route', 'add', 'local', cidr, 'dev', 'lo']);
  } catch (err) {
    const msg = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    // Another proxy on this host added it between our check and our add: it is there, not ours.
    if (/File exists/i.test(msg)) return none();
    return none(`cannot add a local route for the service CIDR ${cidr} (ip route add local ${cidr} dev lo): ${msg}`);
  }
  return {
    added: true,
    error: undefined,
    remove: async () => {
      await run('ip', ['route', 'del', 'local', cidr, 'dev', 'lo']).catch(() => undefined);
    },
  };
}
