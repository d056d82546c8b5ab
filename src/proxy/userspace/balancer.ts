// Endpoint choice for one service port in userspace mode (upstream's userspace
// roundrobin.go LoadBalancerRR, plus least-connections): the usable endpoints for cluster
// traffic and for external traffic (they differ under a Local traffic policy), a rotating
// cursor, per-endpoint open-connection counts, and ClientIP session affinity.
import { usableEndpoints, type EndpointInfo } from '../endpoint.js';
import type { ServicePortInfo } from '../service-port.js';

export type BalancingAlgorithm = 'round-robin' | 'least-connections';

interface Affinity {
  endpoint: string;
  lastUsedMs: number;
}

export class ServicePortBalancer {
  internal: EndpointInfo[] = [];
  external: EndpointInfo[] = [];
  private cursor = 0;
  private affinityTimeoutMs: number | undefined;
  private readonly affinity = new Map<string, Affinity>();
  private readonly active = new Map<string, number>();

  constructor(
    private readonly algorithm: BalancingAlgorithm,
    private readonly now: () => number = Date.now,
  ) {}

  /** New service settings or endpoints; affinities to endpoints that are gone are dropped. */
  update(info: ServicePortInfo, endpoints: readonly EndpointInfo[], nodeName: string): void {
    this.internal = usableEndpoints(endpoints, info.internalPolicyLocal ? nodeName : undefined);
    this.external = usableEndpoints(endpoints, info.externalPolicyLocal ? nodeName : undefined);
    this.affinityTimeoutMs = info.affinityTimeoutSeconds === undefined ? undefined : info.affinityTimeoutSeconds * 1000;
    if (this.affinityTimeoutMs === undefined) this.affinity.clear();
    const known = new Set(endpoints.map((e) => e.key));
    for (const [client, a] of this.affinity) if (!known.has(a.endpoint)) this.affinity.delete(client);
  }

  hasEndpoints(external: boolean): boolean {
    return (external ? this.external : this.internal).length > 0;
  }

  /** The endpoint for a new connection (or request) from `clientIP`; undefined when there is none. */
  pick(external: boolean, clientIP: string | undefined): EndpointInfo | undefined {
    const list = external ? this.external : this.internal;
    if (!list.length) return undefined;
    const now = this.now();
    if (this.affinityTimeoutMs !== undefined && clientIP) {
      const a = this.affinity.get(clientIP);
      if (a && now - a.lastUsedMs <= this.affinityTimeoutMs) {
        const ep = list.find((e) => e.key === a.endpoint);
        if (ep) {
          a.lastUsedMs = now;
          return ep;
        }
      }
    }
    const ep = this.algorithm === 'least-connections' ? this.leastConnected(list) : list[this.cursor++ % list.length];
    if (this.affinityTimeoutMs !== undefined && clientIP) this.affinity.set(clientIP, { endpoint: ep.key, lastUsedMs: now });
    return ep;
  }

  /** Counts a connection (or in-flight request) to `ep` until the returned function is called. */
  open(ep: EndpointInfo): () => void {
    this.active.set(ep.key, (this.active.get(ep.key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.active.get(ep.key) ?? 1) - 1;
      if (n > 0) this.active.set(ep.key, n);
      else this.active.delete(ep.key);
    };
  }

  activeConnections(endpointKey: string): number {
    return this.active.get(endpointKey) ?? 0;
  }

  /** Fewest open connections; ties broken by the rotating cursor so equal endpoints share load. */
  private leastConnected(list: EndpointInfo[]): EndpointInfo {
    const start = this.cursor++ % list.length;
    let best = list[start];
    let bestCount = this.activeConnections(best.key);
    for (let i = 1; i < list.length; i++) {
      const ep = list[(start + i) % list.length];
      const n = this.activeConnections(ep.key);
      if (n < bestCount) {
        best = ep;
        bestCount = n;
      }
    }
    return best;
  }
}
