// The one place that runs the `conntrack` binary (Debian package `conntrack`, conntrack-tools):
// listing the kernel's UDP flows and deleting some of them. Upstream talks netlink directly; a
// process per call is enough here, because the proxy only calls it after a sync that changed a
// UDP service port. A missing binary is not an error for the caller to handle: available()
// says why, and the cleanup logs it once and carries on (stale flows then expire on their own).
import { runTool as run } from '../run-tool.js';

export const defaultConntrackPath = '/usr/sbin/conntrack';

/** One flow: its original tuple and its reply tuple (after DNAT the reply source is the endpoint). */
export interface ConntrackEntry {
  protocol: string;
  original: { src: string; dst: string; sport: number; dport: number };
  reply: { src: string; dst: string; sport: number; dport: number };
}

/** What to delete, as `conntrack -D` options: UDP flows to `origDst`(any if undefined):`origPortDst` answered by `replySrc`. */
export interface ConntrackFilter {
  origDst?: string;
  origPortDst: number;
  replySrc: string;
}

/**
 * Parses `conntrack -L` lines ("udp 17 29 src=… dst=… sport=… dport=… [UNREPLIED] src=… dst=…
 * sport=… dport=… mark=0 use=1"): the first src/dst/sport/dport are the original direction,
 * the second the reply. Lines that do not have both are skipped.
 */
export function parseEntries(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const protocol = line.trim().split(/\s+/)[0];
    if (!protocol) continue;
    const seen: Record<string, string[]> = { src: [], dst: [], sport: [], dport: [] };
    for (const m of line.matchAll(/\b(src|dst|sport|dport)=(\S+)/g)) seen[m[1]].push(m[2]);
    if (seen.src.length < 2 || seen.dst.length < 2 || seen.sport.length < 2 || seen.dport.length < 2) continue;
    const tuple = (i: number) => ({ src: seen.src[i], dst: seen.dst[i], sport: Number(seen.sport[i]), dport: Number(seen.dport[i]) });
    out.push({ protocol, original: tuple(0), reply: tuple(1) });
  }
  return out;
}

export class Conntrack {
  constructor(
    readonly path = defaultConntrackPath,
    /** The address family of the flows listed and deleted (a dual-stack proxy has one cleaner per family). */
    readonly family: 'ipv4' | 'ipv6' = 'ipv4',
  ) {}

  /** undefined when the binary runs and may read the table, else why not. */
  async available(): Promise<string | undefined> {
    try {
      const r = await run(this.path, ['-L', '-p', 'udp', '-f', this.family, '--dst', this.family === 'ipv6' ? 'ff02::1' : '255.255.255.255']);
      return r.code === 0 ? undefined : `${this.path} -L exited with ${r.code}: ${r.stderr.trim()}`;
    } catch (err) {
      return `cannot run ${this.path}: ${(err as Error).message}`;
    }
  }

  /** The UDP flows of this family in the kernel's table. */
  async listUdp(): Promise<ConntrackEntry[]> {
    const r = await run(this.path, ['-L', '-p', 'udp', '-f', this.family]);
    if (r.code !== 0) throw new Error(`${this.path} -L exited with ${r.code}: ${r.stderr.trim()}`);
    return parseEntries(r.stdout);
  }

  /** Deletes the UDP flows matching `f`; resolves with how many went ("0 flow entries" exits 1 and is no error). */
  async deleteUdp(f: ConntrackFilter): Promise<number> {
    const args = ['-D', '-p', 'udp', '-f', this.family, ...(f.origDst ? ['--orig-dst', f.origDst] : []), '--orig-port-dst', String(f.origPortDst), '--reply-src', f.replySrc];
    const r = await run(this.path, args);
    const n = /(\d+) flow entries have been deleted/.exec(r.stderr);
    if (n) return Number(n[1]);
    throw new Error(`${this.path} ${args.join(' ')} exited with ${r.code}: ${r.stderr.trim()}`);
  }
}
