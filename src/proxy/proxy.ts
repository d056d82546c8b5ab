// The service proxy (upstream cmd/kube-proxy + pkg/proxy's sync loop): informers on Services
// and EndpointSlices feed the change trackers; any change schedules a sync, which applies the
// pending changes and hands the changed service ports to the proxier. Syncs never overlap;
// changes arriving during one are coalesced into the next. Each sync is timed
// (kubeproxy_sync_proxy_rules_duration_seconds) and announced, so tests and benchmarks can wait
// for a write to be in effect: `await proxy.synced(obj.metadata.resourceVersion)`.
import { nftablesProxier } from './nftables/proxier.js';
import { nftAvailable } from './nftables/nft.js';
import { iptablesProxier } from './iptables/proxier.js';
import { iptablesAvailable } from './iptables/iptables.js';
import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Logger } from 'pino';
import type { Client } from '../client/rest/client.js';
import { resources } from '../client/rest/builtin-resources.js';
import { isDeletedFinalStateUnknown } from '../client/cache/index.js';
import { Informers } from '../controllers/context.js';
import { EndpointsChangeTracker, ServiceChangeTracker, type EndpointsMap, type ServicePortMap } from './change-tracker.js';
import { LoadBalancerStatusWriter } from './load-balancer-status.js';
import { ProxierHealth, serveProxierHealth, type HealthzServer } from './healthcheck/proxier-health.js';
import { ServiceHealthServer } from './healthcheck/service-health.js';
import { proxyMetrics } from './metrics.js';
import type { Proxier, ProxierFactory, ProxierOptions } from './proxier.js';
import type { ServicePortKey } from './service-port.js';
import { userspaceProxier, type UserspaceProxierOptions } from './userspace/proxier.js';
import type { BalancingAlgorithm } from './userspace/balancer.js';
import { nthAddress } from './userspace/local-route.js';

export const defaultServiceCidr = '10.96.0.0/12';
/** What setups without root (or not on Linux) use: loopback, so ClusterIPs bind without a route. */
export const loopbackServiceCidr = '127.96.0.0/16';

/** The service CIDR this host can serve: upstream's default as root on Linux, else a loopback range. */
export function hostServiceCidr(): string {
  return process.platform === 'linux' && process.getuid?.() === 0 ? defaultServiceCidr : loopbackServiceCidr;
}

/**
 * The kernel does the forwarding when it can: nftables when root on Linux with a working nft,
 * else iptables when root with a working iptables-restore (upstream's older mode, for hosts
 * without nft), else userspace.
 */
export async function defaultProxyMode(): Promise<string> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'userspace';
  if (!(await nftAvailable())) return 'nftables';
  if (!(await iptablesAvailable())) return 'iptables';
  return 'userspace';
}

/**
 * The conventional cluster DNS ClusterIP of a range: its tenth address (10.96.0.10 for
 * 10.96.0.0/12, fd00:10:96::a for fd00:10:96::/108); of a dual-stack list, the first range's.
 */
export function clusterDnsIPFor(cidr: string): string {
  return nthAddress(cidr.split(',')[0]!.trim(), 10);
}

/** Proxy modes by name; the kernel modes (nftables, iptables) register here. */
export const proxierFactories: Record<string, ProxierFactory<UserspaceProxierOptions & { table?: string }>> = {
  userspace: userspaceProxier,
  nftables: nftablesProxier,
  iptables: iptablesProxier,
};

export interface ProxyOptions {
  client: Client;
  nodeName: string;
  log: Logger;
  /** "userspace" (the default here; the CLI asks defaultProxyMode()), "nftables" or "iptables". */
  mode?: string;
  /** Range ClusterIPs are allocated from (must match the API server's); default 10.96.0.0/12; "IPv4CIDR,IPv6CIDR" for dual-stack. */
  serviceCidr?: string;
  /** nftables mode: the name of its tables (`ip` and `ip6`); default k8ts-proxy. Two proxies with different names can share a host. */
  nftablesTable?: string;
  /** Where NodePorts listen; default 127.0.0.1 and every non-internal IPv4 address. The first is the load-balancer ingress. */
  nodeAddresses?: string[];
  /** Userspace balancing; default round-robin. */
  algorithm?: BalancingAlgorithm;
  udpIdleTimeoutMs?: number;
  /** Add/remove the local route for serviceCidr (root on Linux); default true. */
  manageLocalRoute?: boolean;
  /** Answer LoadBalancer Services with the node address (default true). */
  loadBalancerStatus?: boolean;
  /** An informer factory to share (its informers are started by the proxy if not yet). */
  informers?: Informers;
  /** Serve health-check node ports of LoadBalancer Services with externalTrafficPolicy Local (default true). */
  healthCheckNodePorts?: boolean;
  /** Where /healthz and /livez are served (kube-proxy's --healthz-bind-address, "0.0.0.0:10256"); not served when unset. */
  healthz?: { host: string; port: number };
  /** A change not applied within this time makes /healthz and health-check node ports answer 503 (default 60 s). */
  healthTimeoutMs?: number;
}

export interface SyncEvent {
  /** The highest resourceVersion of the Services/EndpointSlices applied by this sync. */
  resourceVersion: string;
  durationMs: number;
  changed: number;
}

export type SyncTarget = string | { kind?: string; metadata?: { resourceVersion?: string } };

export interface ServiceProxy {
  readonly proxier: Proxier;
  /** The applied state (read-only for callers). */
  readonly services: ServicePortMap;
  readonly endpoints: EndpointsMap;
  /**
   * Resolves once a sync has applied what was written: pass the Service or EndpointSlice a write
   * returned (its kind and resourceVersion say which informer must have seen it), or a bare
   * resourceVersion (then any informer having seen it suffices — Services and EndpointSlices
   * are watched separately, so prefer objects). resourceVersions are compared as the decimal
   * storage revisions our API server hands out.
   */
  synced(written: SyncTarget | SyncTarget[], timeoutMs?: number): Promise<void>;
  /** 'sync' with a SyncEvent after every sync. */
  readonly events: EventEmitter<{ sync: [SyncEvent] }>;
  readonly loadBalancer: LoadBalancerStatusWriter | undefined;
  readonly health: ProxierHealth;
  /** The health-check node port listeners (undefined when disabled). */
  readonly serviceHealth: ServiceHealthServer | undefined;
  /** The /healthz server's port (undefined when not served). */
  readonly healthzPort: number | undefined;
  stop(): Promise<void>;
}

/** Non-internal IPv4 addresses of this host, after 127.0.0.1; with `ipv6` (a dual-stack service CIDR) also its non-link-local IPv6 addresses. */
export function defaultNodeAddresses(ipv6 = false): string[] {
  const out = ['127.0.0.1'];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4' || (ipv6 && a.family === 'IPv6' && !a.address.toLowerCase().startsWith('fe80:'))) out.push(a.address);
    }
  }
  return out;
}

const rvOf = (o: { metadata?: { resourceVersion?: string } } | undefined): bigint => {
  const rv = o?.metadata?.resourceVersion;
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : 0n;
};

export async function startProxy(opts: ProxyOptions): Promise<ServiceProxy> {
  const log = opts.log;
  const mode = opts.mode ?? 'userspace';
  const factory = proxierFactories[mode];
  if (!factory) throw new Error(`unknown proxy mode ${JSON.stringify(mode)} (known: ${Object.keys(proxierFactories).join(', ')})`);
  const base: ProxierOptions = { nodeName: opts.nodeName, nodeAddresses: opts.nodeAddresses ?? defaultNodeAddresses((opts.serviceCidr ?? '').includes(':')), serviceCidr: opts.serviceCidr ?? defaultServiceCidr, log };
  const proxier = await factory({ ...base, algorithm: opts.algorithm, udpIdleTimeoutMs: opts.udpIdleTimeoutMs, manageLocalRoute: opts.manageLocalRoute, table: opts.nftablesTable });

  const services: ServicePortMap = new Map();
  const endpoints: EndpointsMap = new Map();
  const serviceTracker = new ServiceChangeTracker();
  const endpointsTracker = new EndpointsChangeTracker();
  const events = new EventEmitter<{ sync: [SyncEvent] }>();
  events.setMaxListeners(0);
  const lb = opts.loadBalancerStatus === false ? undefined : new LoadBalancerStatusWriter(opts.client, base.nodeAddresses[0], log);
  const health = new ProxierHealth(opts.healthTimeoutMs);
  const serviceHealth = opts.healthCheckNodePorts === false ? undefined : new ServiceHealthServer(base.nodeAddresses, health, log);

  // Per informer: the highest resourceVersion seen, and applied by a finished sync.
  const seen = { Service: 0n, EndpointSlice: 0n };
  const applied = { Service: 0n, EndpointSlice: 0n };
  /** When the oldest change not yet applied was seen (for the programming-latency metric). */
  let oldestPendingAt: number | undefined;
  let initialized = false;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;

  const runSync = async () => {
    const started = performance.now();
    const pendingSince = oldestPendingAt;
    oldestPendingAt = undefined;
    const rv = { ...seen };
    const changed = new Set<ServicePortKey>([...serviceTracker.apply(services), ...endpointsTracker.apply(endpoints)]);
    let ok = true;
    try {
      if (changed.size) await proxier.sync({ services, endpoints }, changed);
      if (serviceHealth && changed.size) await syncServiceHealth(serviceHealth);
    } catch (err) {
      ok = false;
      log.error({ err }, 'sync failed');
    }
    // A failed sync leaves the change queued, so the proxy turns unhealthy if it keeps failing.
    if (ok && oldestPendingAt === undefined) health.updated();
    const done = performance.now();
    const durationMs = done - started;
    proxyMetrics.syncDuration.observe(durationMs / 1000);
    proxyMetrics.lastSync.set(Date.now() / 1000);
    proxyMetrics.servicePorts.set(services.size);
    if (pendingSince !== undefined) proxyMetrics.programming.observe((done - pendingSince) / 1000);
    applied.Service = rv.Service;
    applied.EndpointSlice = rv.EndpointSlice;
    const maxRV = rv.Service > rv.EndpointSlice ? rv.Service : rv.EndpointSlice;
    events.emit('sync', { resourceVersion: String(maxRV), durationMs, changed: changed.size });
    log.debug({ durationMs: Math.round(durationMs * 1000) / 1000, changed: changed.size }, 'synced');
  };

  /** Health-check node ports to open, and each one's count of ready endpoints on this node. */
  const syncServiceHealth = async (server: ServiceHealthServer) => {
    const ports = new Map<string, number>();
    for (const sp of services.values()) if (sp.healthCheckNodePort) ports.set(sp.service, sp.healthCheckNodePort);
    await server.syncServices(ports);
    if (!ports.size) return;
    // Distinct endpoint IPs over the Service's ports (10.0.0.1:80 and :443 are one endpoint), as
    // upstream's LocalReadyEndpoints; terminating ones do not count, so the check fails while
    // this node's only pods are shutting down.
    const local = new Map<string, Set<string>>();
    for (const [portKey, eps] of endpoints) {
      const service = services.get(portKey)?.service;
      if (!service || !ports.has(service)) continue;
      for (const ep of eps) {
        if (!ep.ready || ep.nodeName !== opts.nodeName) continue;
        let set = local.get(service);
        if (!set) local.set(service, (set = new Set()));
        set.add(ep.ip);
      }
    }
    server.syncEndpoints(new Map([...local].map(([k, v]) => [k, v.size])));
  };

  const schedule = () => {
    if (!initialized || stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        // One macrotask of grace lets a burst of informer notifications land in one sync.
        await new Promise((r) => setImmediate(r));
        do {
          again = false;
          await runSync();
        } while (again && !stopped);
      } finally {
        // Cleared in the same turn as the last `again` check, so no change can slip in between.
        running = undefined;
      }
    })();
  };

  const noteChange = (kind: 'Service' | 'EndpointSlice', obj: { metadata?: { resourceVersion?: string } } | undefined) => {
    const rv = rvOf(obj);
    if (rv > seen[kind]) seen[kind] = rv;
    oldestPendingAt ??= performance.now();
    health.queued();
    schedule();
  };

  const informers = opts.informers ?? new Informers(opts.client);
  const svcInformer = informers.for(resources.services);
  const sliceInformer = informers.for(resources.endpointSlices);
  svcInformer.addEventHandler({
    onAdd: (svc) => {
      serviceTracker.update(undefined, svc);
      lb?.observe(svc);
      noteChange('Service', svc);
    },
    onUpdate: (old, svc) => {
      serviceTracker.update(old, svc);
      lb?.observe(svc);
      noteChange('Service', svc);
    },
    onDelete: (obj) => {
      const svc = (isDeletedFinalStateUnknown(obj) ? obj.obj : obj) as Service | undefined;
      if (svc) serviceTracker.update(svc, undefined);
      noteChange('Service', svc);
    },
  });
  sliceInformer.addEventHandler({
    onAdd: (s) => {
      endpointsTracker.update(s, false);
      noteChange('EndpointSlice', s);
    },
    onUpdate: (_old, s) => {
      endpointsTracker.update(s, false);
      noteChange('EndpointSlice', s);
    },
    onDelete: (obj) => {
      const s = (isDeletedFinalStateUnknown(obj) ? obj.obj : obj) as EndpointSlice | undefined;
      if (s) endpointsTracker.update(s, true);
      noteChange('EndpointSlice', s);
    },
  });
  // This node being deleted makes /healthz fail, so load balancers stop sending to it (upstream 1.28+).
  const nodeInformer = opts.healthz ? informers.for(resources.nodes, { fieldSelector: `metadata.name=${opts.nodeName}` }) : undefined;
  const watchNode = (node: Node | undefined) => {
    health.nodeEligible = !node?.metadata?.deletionTimestamp;
  };
  nodeInformer?.addEventHandler({ onAdd: watchNode, onUpdate: (_o, n) => watchNode(n), onDelete: () => watchNode(undefined) });
  const ownInformers = !opts.informers;
  informers.start();
  const abort = new AbortController();
  await informers.waitForCacheSync(abort.signal);
  // Upstream waits for both caches before the first sync, so it never programs a partial view.
  const listRV = (i: { lastSyncResourceVersion(): string }) => rvOf({ metadata: { resourceVersion: i.lastSyncResourceVersion() } });
  if (listRV(svcInformer) > seen.Service) seen.Service = listRV(svcInformer);
  if (listRV(sliceInformer) > seen.EndpointSlice) seen.EndpointSlice = listRV(sliceInformer);
  initialized = true;
  oldestPendingAt = undefined;
  schedule();
  await running;
  let healthz: HealthzServer | undefined;
  if (opts.healthz) healthz = await serveProxierHealth(health, opts.healthz.host, opts.healthz.port);
  log.info({ mode, serviceCidr: base.serviceCidr, nodeAddresses: base.nodeAddresses, servicePorts: services.size, healthzPort: healthz?.port }, 'service proxy started');

  const isApplied = (t: SyncTarget) => {
    const want = rvOf(typeof t === 'string' ? { metadata: { resourceVersion: t } } : t);
    const kind = typeof t === 'string' ? undefined : t.kind;
    if (kind === 'Service' || kind === 'EndpointSlice') return applied[kind] >= want;
    return applied.Service >= want || applied.EndpointSlice >= want;
  };
  const synced = (written: SyncTarget | SyncTarget[], timeoutMs = 10_000) => {
    const targets = Array.isArray(written) ? written : [written];
    const all = () => targets.every(isApplied);
    if (all()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        events.off('sync', onSync);
        reject(new Error(`proxy did not sync ${JSON.stringify(targets.map((t) => (typeof t === 'string' ? t : `${t.kind}@${t.metadata?.resourceVersion}`)))} within ${timeoutMs} ms (applied ${applied.Service}/${applied.EndpointSlice})`));
      }, timeoutMs);
      const onSync = () => {
        if (!all()) return;
        clearTimeout(timer);
        events.off('sync', onSync);
        resolve();
      };
      events.on('sync', onSync);
    });
  };

  return {
    proxier,
    services,
    endpoints,
    events,
    synced,
    loadBalancer: lb,
    health,
    serviceHealth,
    healthzPort: healthz?.port,
    async stop() {
      stopped = true;
      abort.abort();
      await running;
      await healthz?.close();
      await serviceHealth?.close();
      if (ownInformers) await informers.shutdown();
      await lb?.idle();
      await proxier.stop();
    },
  };
}
