// The API aggregation layer (upstream: kube-aggregator inside kube-apiserver). An APIService with a
// Service names another API server for one group-version: requests under /apis/<group>/<version>
// are authenticated and authorized here, then relayed to a ready endpoint of that Service with
// the front proxy's client certificate and the user in X-Remote-* headers. The availability
// controller keeps each APIService's Available condition (Local, ServiceNotFound,
// MissingEndpoints, FailedDiscoveryCheck, Passed) and, from the discovery check, the resources the
// other server serves, which go into this server's aggregated discovery.
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../../util/log.js';
import { relayHttp } from '../handlers/http-relay.js';
import type { Request } from '../http/body.js';
import { writeText, type Response } from '../http/respond.js';
import { formatTime, systemContext, type UserInfo } from '../registry/context.js';
import type { GenericStore } from '../registry/generic-store.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { CacheEvent, WatchCache } from '../watch-cache.js';
import { identityHeaders, isIdentityHeader, type FrontProxyCredentials } from './front-proxy.js';
import { resolveServiceEndpoint } from '../service-endpoint.js';
import type { APIService, APIServiceCondition } from './types.js';

export interface AggregatorOptions {
  registry: ResourceRegistry;
  cache: WatchCache;
  generic: GenericStore;
  log?: Logger;
  /** Without it aggregated API servers cannot tell who is asking: remote APIServices are not served. */
  frontProxy?: FrontProxyCredentials;
  /** How often every APIService is checked again (upstream's availability controller resyncs). */
  checkIntervalMs?: number;
  /** How long a discovery check may take (upstream: 5 s). */
  checkTimeoutMs?: number;
}

/** An APIService served by another API server, as last seen and checked. */
export interface RemoteAPIService {
  name: string;
  group: string;
  version: string;
  groupPriorityMinimum: number;
  versionPriority: number;
  apiService: APIService;
  available: boolean;
  /** The other server's APIResourceList.resources from the last successful discovery check. */
  resources?: unknown[];
}

const discoveryIdentity: UserInfo = { username: 'system:kube-aggregator', groups: ['system:masters'] };

export class Aggregator {
  private readonly remotes = new Map<string, RemoteAPIService>();
  private entry: ResourceEntry | undefined;
  private stopWatches: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** APIServices being checked, and those to check again once that check ends. */
  private readonly checking = new Set<string>();
  private readonly again = new Set<string>();
  private stopped = false;

  constructor(private readonly opts: AggregatorOptions) {}

  start(): void {
    const entry = this.opts.registry.find('apiregistration.k8s.io', 'v1', 'apiservices');
    if (!entry) return;
    this.entry = entry;
    const cache = this.opts.cache;
    const apiServices = cache.resourceFor(entry.prefix);
    for (const obj of apiServices.objects.values()) this.observe(obj as APIService);
    this.stopWatches.push(apiServices.addWatcher({ onEvent: (ev) => this.onAPIServiceEvent(ev), onClose: () => undefined }, cache.revision));
    // A Service or its endpoints changing may change an APIService's availability.
    for (const [group, plural] of [['', 'services'], ['discovery.k8s.io', 'endpointslices']] as const) {
      const e = this.opts.registry.find(group, 'v1', plural);
      if (!e) continue;
      this.stopWatches.push(cache.resourceFor(e.prefix).addWatcher({ onEvent: (ev) => this.onServiceEvent(ev), onClose: () => undefined }, cache.revision));
    }
    this.timer = setInterval(() => {
      for (const name of this.allNames()) this.check(name);
    }, this.opts.checkIntervalMs ?? 30_000);
    this.timer.unref();
    for (const name of this.allNames()) this.check(name);
  }

  stop(): void {
    this.stopped = true;
    for (const stop of this.stopWatches) stop();
    this.stopWatches = [];
    clearInterval(this.timer);
  }

  /** The remote APIService serving this group-version, if any. */
  remote(group: string, version: string): RemoteAPIService | undefined {
    return this.remotes.get(`${group}/${version}`);
  }

  /** Every remote group-version, for discovery. */
  remoteGroupVersions(): RemoteAPIService[] {
    return [...this.remotes.values()];
  }

  /** Relays a request to the APIService's server (upstream's proxyHandler). */
  async proxy(req: Request, res: Response, remote: RemoteAPIService, user: UserInfo, pathAndQuery: string): Promise<void> {
    const service = remote.apiService.spec.service;
    // Upstream answers in plain text when it cannot route: the APIService is not Available.
    if (!remote.available || !service || !this.opts.frontProxy) {
      writeText(res, 503, 'service unavailable\n');
      return;
    }
    const endpoint = resolveServiceEndpoint(service, this.opts.cache, this.opts.registry);
    if ('reason' in endpoint) {
      this.opts.log?.warn({ apiService: remote.name, reason: endpoint.reason }, endpoint.message);
      writeText(res, 503, 'service unavailable\n');
      return;
    }
    const fp = this.opts.frontProxy;
    await relayHttp(
      req,
      res,
      { scheme: 'https', host: endpoint.host, port: endpoint.port, path: pathAndQuery },
      {
        creds: { certPem: fp.clientCertPem, keyPem: fp.clientKeyPem },
        ...(remote.apiService.spec.insecureSkipTLSVerify ? {} : { verify: { caPem: caBundlePem(remote.apiService), serverName: endpoint.serverName } }),
        headers: { owns: isIdentityHeader, values: identityHeaders(user) },
        what: 'service',
      },
    );
  }

  // ---- index -------------------------------------------------------------------------------

  private onAPIServiceEvent(ev: CacheEvent): void {
    const obj = ev.object as APIService;
    if (ev.type === 'DELETED') {
      const prev = [...this.remotes.values()].find((r) => r.name === obj.metadata.name);
      if (prev) this.remotes.delete(`${prev.group}/${prev.version}`);
      return;
    }
    this.observe(obj);
    this.check(obj.metadata.name);
  }

  private observe(obj: APIService): void {
    const name = obj.metadata.name;
    for (const [key, r] of this.remotes) if (r.name === name) this.remotes.delete(key);
    const spec = obj.spec;
    if (!spec?.service || !spec.group || !spec.version) return;
    const key = `${spec.group}/${spec.version}`;
    const old = this.remotes.get(key);
    this.remotes.set(key, {
      name,
      group: spec.group,
      version: spec.version,
      groupPriorityMinimum: spec.groupPriorityMinimum,
      versionPriority: spec.versionPriority,
      apiService: obj,
      available: isAvailable(obj),
      ...(old?.resources ? { resources: old.resources } : {}),
    });
  }

  private onServiceEvent(ev: CacheEvent): void {
    const namespace = ev.object.metadata.namespace;
    const name = ev.object.metadata.labels?.['kubernetes.io/service-name'] ?? ev.object.metadata.name;
    for (const r of this.remotes.values()) {
      const s = r.apiService.spec.service;
      if (s && s.namespace === namespace && s.name === name) this.check(r.name);
    }
  }

  private allNames(): string[] {
    if (!this.entry) return [];
    return [...this.opts.cache.resourceFor(this.entry.prefix).objects.values()].map((o) => o.metadata.name);
  }

  // ---- availability ------------------------------------------------------------------------

  /** Checks one APIService and records the outcome; one check at a time per APIService. */
  private check(name: string): void {
    if (this.stopped) return;
    if (this.checking.has(name)) {
      this.again.add(name);
      return;
    }
    this.checking.add(name);
    this.checkOnce(name)
      .catch((err: unknown) => this.opts.log?.warn({ apiService: name, err: String(err) }, 'APIService availability check failed'))
      .finally(() => {
        this.checking.delete(name);
        if (this.again.delete(name)) this.check(name);
      });
  }

  private async checkOnce(name: string): Promise<void> {
    const entry = this.entry!;
    const obj = this.opts.cache.resourceFor(entry.prefix).objects.get(`${entry.prefix}${name}`) as APIService | undefined;
    if (!obj) return;
    const condition = await this.availability(obj);
    const remote = this.remotes.get(`${obj.spec.group}/${obj.spec.version}`);
    if (remote?.name === name) remote.available = condition.status === 'True';
    const current = obj.status?.conditions?.find((c) => c.type === 'Available');
    if (current && current.status === condition.status && current.reason === condition.reason && current.message === condition.message) return;
    const now = formatTime(new Date());
    await this.opts.generic.update(entry, '', name, 'status', systemContext(), (latest) => {
      const status = (latest.status ?? {}) as { conditions?: APIServiceCondition[] };
      const previous = status.conditions?.find((c) => c.type === 'Available');
      const next: APIServiceCondition = { ...condition, lastTransitionTime: previous && previous.status === condition.status ? previous.lastTransitionTime : now };
      return { ...latest, status: { ...status, conditions: [...(status.conditions ?? []).filter((c) => c.type !== 'Available'), next] } };
    });
  }

  /** upstream's availability controller's verdict (without lastTransitionTime). */
  private async availability(obj: APIService): Promise<Omit<APIServiceCondition, 'lastTransitionTime'>> {
    const service = obj.spec.service;
    if (!service) return { type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' };
    const endpoint = resolveServiceEndpoint(service, this.opts.cache, this.opts.registry);
    if ('reason' in endpoint) return { type: 'Available', status: 'False', reason: endpoint.reason, message: endpoint.message };
    const url = `https://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}/apis/${obj.spec.group}/${obj.spec.version}`;
    try {
      const body = await this.discover(obj, endpoint, url);
      const remote = this.remotes.get(`${obj.spec.group}/${obj.spec.version}`);
      if (remote?.name === obj.metadata.name) remote.resources = body;
      return { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' };
    } catch (err) {
      return { type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: (err as Error).message };
    }
  }

  /** GET /apis/<group>/<version> on the other server as system:kube-aggregator; its resources. */
  private discover(obj: APIService, endpoint: { host: string; port: number; serverName: string }, url: string): Promise<unknown[]> {
    const fp = this.opts.frontProxy;
    if (!fp) return Promise.reject(new Error(`failing or missing response from ${url}: no front proxy credentials to present`));
    const verify = obj.spec.insecureSkipTLSVerify ? { rejectUnauthorized: false } : { rejectUnauthorized: true, ca: caBundlePem(obj), servername: endpoint.serverName };
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method: 'GET', cert: fp.clientCertPem, key: fp.clientKeyPem, ...verify, headers: { Accept: 'application/json', ...identityHeaders(discoveryIdentity) }, timeout: this.opts.checkTimeoutMs ?? 5000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new Error(`failing or missing response from ${url}: ${err.message}`)));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code < 200 || code > 300) return reject(new Error(`bad status from ${url}: ${code}`));
          try {
            const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resources?: unknown[] };
            resolve(Array.isArray(list.resources) ? list.resources : []);
          } catch {
            resolve([]);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('context deadline exceeded')));
      req.on('error', (err) => reject(new Error(`failing or missing response from ${url}: ${err.message}`)));
      req.end();
    });
  }
}

function isAvailable(obj: APIService): boolean {
  return obj.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ?? false;
}

/** The caBundle as PEM (undefined: the system roots). */
function caBundlePem(obj: APIService): string | undefined {
  const b = obj.spec.caBundle;
  return b ? Buffer.from(b, 'base64').toString('utf8') : undefined;
}
