// Stale UDP flows (upstream pkg/proxy/conntrack/cleanup.go CleanStaleEntries). A UDP "connection"
// is a conntrack entry that lives as long as packets keep coming, and every packet of it follows
// the DNAT chosen by its first one, whatever the rules say now: a client that keeps sending to a
// ClusterIP whose endpoint went away would be blackholed for ever; and one that sent while the
// service had no endpoint keeps an entry that was never DNATed. So after the rules change, every
// UDP flow to a service address (ClusterIP, externalIP, load-balancer IP) and port, or to a
// NodePort, whose reply source is not a serving endpoint of that service port is deleted — only
// for service ports with at least one serving endpoint (without one there is nowhere better to
// go). Traffic policies and terminating state are ignored, as upstream, so that a UDP flow is
// treated like a TCP connection: it may stay on any endpoint that still serves.
import type { Logger } from 'pino';
import type { ProxyState } from '../proxier.js';
import type { ServicePortKey } from '../service-port.js';
import { Conntrack, type ConntrackEntry, type ConntrackFilter } from './conntrack.js';

/** The flows to delete, as filters (de-duplicated). */
export function staleFilters(entries: readonly ConntrackEntry[], state: ProxyState): ConntrackFilter[] {
  const byAddress = new Map<string, Set<string>>();
  const byNodePort = new Map<number, Set<string>>();
  for (const [key, sp] of state.services) {
    if (sp.protocol !== 'UDP' || !sp.clusterIP) continue;
    const serving = new Set((state.endpoints.get(key) ?? []).filter((e) => e.serving).map((e) => e.ip));
    if (!serving.size) continue;
    // Every ClusterIP (a dual-stack Service has one per family); the entries listed are of one
    // family, so the other family's addresses simply match nothing.
    for (const ip of [...sp.clusterIPs, ...sp.loadBalancerIPs, ...sp.externalIPs]) byAddress.set(`${ip}:${sp.port}`, serving);
    if (sp.nodePort) byNodePort.set(sp.nodePort, serving);
  }
  const out = new Map<string, ConntrackFilter>();
  for (const e of entries) {
    if (e.protocol !== 'udp') continue;
    const { dst, dport } = e.original;
    const replySrc = e.reply.src;
    const atAddress = byAddress.get(`${dst}:${dport}`);
    if (atAddress && !atAddress.has(replySrc)) out.set(`${dst}:${dport}>${replySrc}`, { origDst: dst, origPortDst: dport, replySrc });
    const atNodePort = byNodePort.get(dport);
    if (atNodePort && !atNodePort.has(replySrc)) out.set(`*:${dport}>${replySrc}`, { origPortDst: dport, replySrc });
  }
  return [...out.values()];
}

/** Cleans stale UDP flows once per call; a missing conntrack binary is logged once and skipped. */
export class StaleFlowCleaner {
  private unavailable: Promise<string | undefined> | undefined;
  private warned = false;
  /** Flows deleted so far (for tests and metrics). */
  deleted = 0;

  constructor(private readonly ct: Conntrack, private readonly log: Logger) {}

  /** A kernel proxier's cleaner for its family's flows, or undefined when the options turn cleaning off. */
  static forProxier(opts: { cleanStaleFlows?: boolean; conntrackPath?: string }, ipFamily: 'IPv4' | 'IPv6', log: Logger): StaleFlowCleaner | undefined {
    return opts.cleanStaleFlows === false ? undefined : new StaleFlowCleaner(new Conntrack(opts.conntrackPath, ipFamily === 'IPv6' ? 'ipv6' : 'ipv4'), log);
  }

  /**
   * Called once a sync's rules are in place: cleans when the sync may have moved a UDP flow (a
   * full sync with any UDP service port, or a changed UDP service port), as only UDP flows
   * outlive a rule change.
   */
  async cleanAfterSync(state: ProxyState, changed: ReadonlySet<ServicePortKey>, fullSync: boolean): Promise<void> {
    const udp = (key: ServicePortKey) => state.services.get(key)?.protocol === 'UDP';
    if (fullSync ? [...state.services.keys()].some(udp) : [...changed].some(udp)) await this.clean(state);
  }

  async clean(state: ProxyState): Promise<void> {
    this.unavailable ??= this.ct.available();
    const why = await this.unavailable;
    if (why) {
      if (!this.warned) this.log.warn({ reason: why }, 'conntrack tool unavailable; stale UDP flows to removed endpoints are not deleted (install the conntrack package)');
      this.warned = true;
      return;
    }
    const started = performance.now();
    try {
      const filters = staleFilters(await this.ct.listUdp(), state);
      let n = 0;
      for (const f of filters) n += await this.ct.deleteUdp(f);
      this.deleted += n;
      if (filters.length) this.log.debug({ filters: filters.length, deleted: n, ms: Math.round(performance.now() - started) }, 'deleted stale UDP conntrack entries');
    } catch (err) {
      this.log.error({ err }, 'cannot clean stale UDP conntrack entries');
    }
  }
}
