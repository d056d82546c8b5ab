// The userspace proxier: a listener per frontend of each service port (clusterIP:port,
// NodePort on every node address, externalIPs:port, load-balancer ingress:port) forwarding to
// endpoints chosen by a ServicePortBalancer. A sync touches only the changed service ports:
// their balancers get the new endpoints (new connections follow at once, open ones are left
// alone) and their listeners are opened or closed by difference. A frontend whose service port
// has no usable endpoints is not listened on, so connections are refused as upstream rejects them.
// loadBalancerSourceRanges are checked per connection on the load-balancer frontends: a client
// outside them is refused (the kernel modes drop it before DNAT; see ../source-ranges.ts).
import type { Logger } from 'pino';
import type { EndpointInfo } from '../endpoint.js';
import type { Proxier, ProxierOptions, ProxyState } from '../proxier.js';
import type { ServicePortInfo, ServicePortKey } from '../service-port.js';
import { ServicePortBalancer, type BalancingAlgorithm } from './balancer.js';
import { ipv4, ipv6 } from '../nftables/family.js';
import { firewallSources, sourceFilter } from '../source-ranges.js';
import { frontendKey, type Frontend, type Listener, type ListenerKind } from './frontend.js';
import { listenHttp } from './http-listener.js';
import { ensureLocalRoute, type LocalRoute } from './local-route.js';
import { listenTcp } from './tcp-listener.js';
import { listenUdp } from './udp-listener.js';

export interface UserspaceProxierOptions extends ProxierOptions {
  /** Default round-robin. */
  algorithm?: BalancingAlgorithm;
  /** UDP association idle timeout (default 30 s, conntrack's UDP timeout). */
  udpIdleTimeoutMs?: number;
  /** Add `ip route add local serviceCidr dev lo` when needed (default true). */
  manageLocalRoute?: boolean;
}

interface Open {
  frontend: Frontend;
  listener: Listener;
}

export class UserspaceProxier implements Proxier {
  readonly mode = 'userspace';
  private readonly balancers = new Map<ServicePortKey, ServicePortBalancer>();
  private readonly open = new Map<string, Open>();
  private readonly byServicePort = new Map<ServicePortKey, Set<string>>();
  /** Per service port, its load-balancer IP:port frontends under loadBalancerSourceRanges → the client check (read per connection, so a changed range list applies to open listeners). */
  private readonly firewalls = new Map<ServicePortKey, Map<string, (clientIP: string | undefined) => boolean>>();
  /** Frontends that failed to bind, with why (retried on the service port's next change). */
  readonly bindErrors = new Map<string, string>();
  private readonly log: Logger;
  private route: LocalRoute | undefined;

  private constructor(private readonly opts: UserspaceProxierOptions) {
    this.log = opts.log;
  }

  static async create(opts: UserspaceProxierOptions): Promise<UserspaceProxier> {
    const p = new UserspaceProxier(opts);
    if (opts.manageLocalRoute !== false) {
      p.route = await ensureLocalRoute(opts.serviceCidr, { bindIPv6: true });
      if (p.route.error) opts.log.warn({ serviceCidr: opts.serviceCidr }, p.route.error);
      else if (p.route.added) opts.log.info({ serviceCidr: opts.serviceCidr }, 'routed the service CIDR to the loopback device');
    }
    return p;
  }

  /** Frontends currently listening, as "kind:address:port". */
  listening(): string[] {
    return [...this.open.keys()];
  }

  balancer(key: ServicePortKey): ServicePortBalancer | undefined {
    return this.balancers.get(key);
  }

  async sync(state: ProxyState, changed: ReadonlySet<ServicePortKey>): Promise<void> {
    const work: Promise<void>[] = [];
    for (const key of changed) work.push(this.syncServicePort(key, state.services.get(key), state.endpoints.get(key) ?? []));
    await Promise.all(work);
  }

  private async syncServicePort(key: ServicePortKey, info: ServicePortInfo | undefined, endpoints: readonly EndpointInfo[]): Promise<void> {
    let balancer = this.balancers.get(key);
    if (info) {
      if (!balancer) this.balancers.set(key, (balancer = new ServicePortBalancer(this.opts.algorithm ?? 'round-robin')));
      balancer.update(info, endpoints, this.opts.nodeName);
    } else {
      this.balancers.delete(key);
    }
    this.updateFirewall(key, info);
    const wanted = new Map<string, Frontend>();
    if (info && balancer) for (const f of this.frontendsOf(info)) if (balancer.hasEndpoints(f.external)) wanted.set(f.key, f);
    const current = this.byServicePort.get(key) ?? new Set<string>();
    const work: Promise<void>[] = [];
    for (const fk of current) {
      const o = this.open.get(fk);
      if (wanted.has(fk) && o && o.frontend.external === wanted.get(fk)!.external) {
        o.listener.endpointsChanged?.(endpoints);
        continue;
      }
      current.delete(fk);
      if (o) {
        this.open.delete(fk);
        work.push(o.listener.close(false));
      }
    }
    for (const [fk, f] of wanted) {
      if (current.has(fk)) continue;
      work.push(this.listen(f, balancer!).then((ok) => void (ok && current.add(fk))));
    }
    await Promise.all(work);
    if (current.size) this.byServicePort.set(key, current);
    else this.byServicePort.delete(key);
  }

  private updateFirewall(key: ServicePortKey, info: ServicePortInfo | undefined): void {
    const byAddress = new Map<string, (clientIP: string | undefined) => boolean>();
    for (const fam of info ? [ipv4, ipv6] : []) {
      const sources = firewallSources(info!, fam, this.opts.nodeAddresses);
      if (!sources) continue;
      const allowed = sourceFilter(sources);
      // By address:port: the node address may be both a load-balancer IP and a NodePort address.
      for (const ip of info!.loadBalancerIPs.filter(fam.has)) byAddress.set(`${ip}:${info!.port}`, allowed);
    }
    if (byAddress.size) this.firewalls.set(key, byAddress);
    else this.firewalls.delete(key);
  }

  private frontendsOf(info: ServicePortInfo): Frontend[] {
    const kind: ListenerKind = info.protocol === 'UDP' ? 'udp' : info.httpPerRequest ? 'http' : 'tcp';
    const out: Frontend[] = [];
    const add = (address: string, port: number, external: boolean) => out.push({ key: frontendKey(kind, address, port), servicePort: info.key, address, port, protocol: info.protocol, kind, external });
    if (info.protocol === 'SCTP') return out; // not in userspace mode
    // Every ClusterIP: a dual-stack Service has one per family.
    const clusterIPs = info.clusterIPs?.length ? info.clusterIPs : info.clusterIP ? [info.clusterIP] : [];
    for (const ip of clusterIPs) add(ip, info.port, false);
    if (info.nodePort) for (const a of this.opts.nodeAddresses) add(a, info.nodePort, true);
    for (const ip of new Set([...info.externalIPs, ...info.loadBalancerIPs])) if (!clusterIPs.includes(ip)) add(ip, info.port, true);
    return out;
  }

  private async listen(f: Frontend, balancer: ServicePortBalancer): Promise<boolean> {
    // If another service port holds this address:port (a conflict the API server should have prevented), leave it.
    if (this.open.has(f.key)) {
      this.bindErrors.set(f.key, `${f.address}:${f.port} is already in use by service port ${this.open.get(f.key)!.frontend.servicePort}`);
      return false;
    }
    const picker = {
      pick: (clientIP: string | undefined) => {
        const allowed = f.external ? this.firewalls.get(f.servicePort)?.get(`${f.address}:${f.port}`) : undefined;
        return allowed && !allowed(clientIP) ? undefined : balancer.pick(f.external, clientIP);
      },
      open: (ep: EndpointInfo) => balancer.open(ep),
    };
    try {
      const listener =
        f.kind === 'udp' ? await listenUdp(f.address, f.port, picker, this.opts.udpIdleTimeoutMs ?? 30_000) : f.kind === 'http' ? await listenHttp(f.address, f.port, picker) : await listenTcp(f.address, f.port, picker);
      this.open.set(f.key, { frontend: f, listener });
      this.bindErrors.delete(f.key);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EADDRNOTAVAIL'
          ? `${f.address} is not an address of this host${this.route?.error ? `: ${this.route.error}` : ` (is ${this.opts.serviceCidr} routed locally?)`}`
          : (err as Error).message;
      this.bindErrors.set(f.key, why);
      this.log.error({ servicePort: f.servicePort, frontend: f.key }, `cannot listen on ${f.protocol} ${f.address}:${f.port}: ${why}`);
      return false;
    }
  }

  async stop(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    this.byServicePort.clear();
    this.balancers.clear();
    await Promise.all(all.map((o) => o.listener.close(true)));
    await this.route?.remove();
  }
}

export const userspaceProxier = (opts: UserspaceProxierOptions): Promise<Proxier> => UserspaceProxier.create(opts);
