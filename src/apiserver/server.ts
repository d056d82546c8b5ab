// The API server: builds the registry, the watch cache and the generic store over a Store, and
// serves them over HTTPS with HTTP/2 and HTTP/1.1 on one port. `handle` is the whole filter
// chain (authentication → authorization → handlers) and is what an in-process transport calls.
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { StatusError, unauthorized } from '../api/status.js';
import type { Store } from '../storage/store.js';
import { apiserverMetrics } from '../util/apiserver-metrics.js';
import { keyedCounter, keyedHistogram, metricsContentType, metricsText, type CounterSeries, type HistogramSeries } from '../util/metrics.js';
import { AdmissionChain } from './admission/admission.js';
import { defaultAdmissionPlugins, withoutPlugins } from './admission/plugins.js';
import { Authenticator, type TokenAuthenticator } from './filters/authentication.js';
import { impersonate } from './filters/impersonation.js';
import { forbiddenError, type Authorizer } from './filters/authorization.js';
import { buildAuthorization, DEFAULT_AUTHORIZATION_MODES, parseAuthorizationModes, type Authorization } from './authorization/modes.js';
import { nameFromFieldSelector } from './authorization/field-selector.js';
import { rbacEscalationCheck } from './admission/rbac-escalation.js';
import { nodeRules } from '../auth/rbac/node-rules.js';
import type { Request } from './http/body.js';
import { toStatusError, writeError, writeJSON, writeText, type Response } from './http/respond.js';
import { serveHttp2Streams } from './http/http2-exchange.js';
import { handleNonResource } from './handlers/non-resource.js';
import { handleResource } from './handlers/resource.js';
import { handleSubresource, hasSubresourceHandler } from './handlers/subresources.js';
import { handleVirtual } from './handlers/virtual.js';
import { upgradeHead, type KubeletClientCredentials, type UpgradeRequest } from './handlers/node-proxy.js';
import { bootstrapCluster } from './bootstrap.js';
import { KubernetesServiceController, type EndpointReconcilerOptions } from './kubernetes-service/controller.js';
import { MetricsScraper } from './metrics/scraper.js';
import { kubeletGet } from './metrics/kubelet-fetch.js';
import { allNodeNames } from './handlers/metrics.js';
import { builtinRegistry, isVirtual } from './registry/builtin.js';
import { GenericStore } from './registry/generic-store.js';
import { CRDController } from './crd/crd-controller.js';
import { managedFieldsTracker } from './registry/managed-fields.js';
import type { ResourceRegistry } from './registry/resource-registry.js';
import { parseRequestInfo, splitTarget, type RequestInfo } from './request-info.js';
import { ServiceAllocator } from './admission/service-allocator.js';
import { WatchCache, type WatchCacheOptions } from './watch-cache.js';
import { defaultEventTTLMs, EventExpiry } from './event-ttl.js';
import { ServiceAccountTokens } from '../auth/serviceaccount/tokens.js';
import { serviceAccountAuthenticator } from './filters/serviceaccount-authenticator.js';
import { bootstrapTokenAuthenticator } from './filters/bootstrap-token-authenticator.js';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { Aggregator, type RemoteAPIService } from './aggregator/aggregator.js';
import { AutoRegister } from './aggregator/autoregister.js';
import { extensionAuthenticationConfigMap, type FrontProxyCredentials } from './aggregator/front-proxy.js';

export interface ApiServerOptions {
  store: Store;
  bindAddress: string;
  /** 0 = the OS picks a free port. */
  port: number;
  tls: { certPem: string; keyPem: string; clientCaPem: string };
  log?: Logger;
  tokenAuthenticators?: TokenAuthenticator[];
  /** Service ClusterIP range (default 10.96.0.0/12, as kubeadm). */
  serviceCIDR?: string;
  /** PEM private key that signs service account tokens (TokenRequest); without it tokens are not served. */
  serviceAccountKeyPem?: string;
  watchCache?: WatchCacheOptions;
  /** Client certificate the API server presents to node agents (pods/log, exec, …). */
  kubeletClient?: KubeletClientCredentials;
  /** Admission plugins not to run, by name (kube-apiserver --disable-admission-plugins). */
  disableAdmissionPlugins?: string[];
  /** How long an Event lives after its last write (kube-apiserver --event-ttl; default 1 h, 0 = forever). */
  eventTTLMs?: number;
  /** kube-apiserver's --authorization-mode (default Node,RBAC). */
  authorizationModes?: string[];
  /** The front proxy's CA and client certificate (aggregated API servers); without them remote APIServices are not served. */
  frontProxy?: FrontProxyCredentials;
  /**
   * kube-apiserver's --advertise-address: the IP in the `kubernetes` endpoints and discovery
   * (default the bind address; 127.0.0.1 when binding every address).
   */
  advertiseAddress?: string;
  /** kube-apiserver's --endpoint-reconciler-type, and the lease's duration and refresh interval. */
  endpointReconciler?: EndpointReconcilerOptions;
  /** How often metrics.k8s.io scrapes the kubelets while asked (metrics-server's --metric-resolution; default 15 s). */
  metricResolutionMs?: number;
}

/**
 * What the ApiServer object itself is configured with: the options of startApiServer that are not
 * about its listener, and the client CA it publishes to aggregated API servers.
 */
export type ApiServerConfig = Omit<ApiServerOptions, 'store' | 'bindAddress' | 'port' | 'tls' | 'log' | 'advertiseAddress'> & {
  /** The CA of client certificates, published to aggregated API servers with the front proxy's. */
  clientCaPem?: string;
};

interface RequestSeries {
  duration: HistogramSeries<string>;
  labels: () => Record<string, string>;
  totals: Map<number, CounterSeries<string>>;
}

export interface RunningApiServer {
  port: number;
  url: string;
  api: ApiServer;
  close(): Promise<void>;
}

export class ApiServer {
  readonly registry: ResourceRegistry;
  readonly cache: WatchCache;
  readonly generic: GenericStore;
  /** Serves the resources CRDs define and keeps the CRDs' status. */
  readonly crds: CRDController;
  /** Routes APIServices served by other API servers to them, and keeps their availability. */
  readonly aggregator: Aggregator;
  /** Local APIServices for the built-in and CRD group-versions (upstream's autoregister and crdregistration). */
  readonly autoRegister: AutoRegister;
  /** kube-system/extension-apiserver-authentication, written at bootstrap (with front proxy credentials). */
  readonly extensionAuthentication: ConfigMap | undefined;
  readonly authenticator: Authenticator;
  readonly authorization: Authorization;
  readonly authorizer: Authorizer;
  readonly services: ServiceAllocator;
  readonly tokens: ServiceAccountTokens | undefined;
  readonly serviceAccountAuth: ReturnType<typeof serviceAccountAuthenticator> | undefined;
  private readonly metrics = apiserverMetrics();
  // Request metrics are recorded per series found by a key of the label values (see
  // util/metrics.ts): prom-client's own label hashing would cost every request more.
  private readonly requestTotal = keyedCounter(this.metrics.requestTotal);
  private readonly requestDuration = keyedHistogram(this.metrics.requestDuration);
  /** Both metrics' series for one request key (verb, scope, group, version, resource, subresource). */
  private readonly requestSeries = new Map<string, RequestSeries>();
  ready = false;
  private readonly eventTTLMs: number;
  /** Deletes Events `eventTTLMs` after their last write (undefined when they never expire). */
  eventExpiry: EventExpiry | undefined;
  /** Certificate for connections to node agents; without it the kubelet refuses them. */
  kubeletClient: KubeletClientCredentials | undefined;
  private readonly metricResolutionMs: number | undefined;
  /** The resource metrics pipeline, made on the first metrics.k8s.io request. */
  private scraper: MetricsScraper | undefined;
  /** host:port clients use (for discovery's serverAddressByClientCIDRs and the kubernetes Endpoints). */
  advertise = { host: '127.0.0.1', port: 0 };
  private readonly endpointReconciler: EndpointReconcilerOptions;
  /** Keeps this server in the `kubernetes` endpoints (from bootstrap on; none with --endpoint-reconciler-type none). */
  kubernetesService: KubernetesServiceController | undefined;

  constructor(
    readonly store: Store,
    readonly log: Logger | undefined,
    opts: ApiServerConfig,
  ) {
    this.endpointReconciler = opts.endpointReconciler ?? {};
    this.kubeletClient = opts.kubeletClient;
    this.metricResolutionMs = opts.metricResolutionMs;
    this.eventTTLMs = opts.eventTTLMs ?? defaultEventTTLMs;
    this.registry = builtinRegistry();
    this.cache = new WatchCache(store, opts.watchCache);
    this.services = new ServiceAllocator(opts.serviceCIDR ?? '10.96.0.0/12');
    this.authorization = buildAuthorization(parseAuthorizationModes(opts.authorizationModes ?? DEFAULT_AUTHORIZATION_MODES), this.cache, this.registry, nodeRules());
    this.authorizer = this.authorization.authorizer;
    const plugins = withoutPlugins(defaultAdmissionPlugins({ cache: this.cache, registry: this.registry, services: this.services, store }), opts.disableAdmissionPlugins ?? []);
    // Escalation prevention belongs to the RBAC storage upstream: it cannot be disabled, and it
    // runs after mutating admission, before the validating plugins.
    const admission = new AdmissionChain([rbacEscalationCheck(this.authorizer, this.authorization.resolver), ...plugins]);
    this.generic = new GenericStore({ store, cache: this.cache, admission, managedFields: managedFieldsTracker });
    this.generic.afterDelete.push((entry, obj) => this.services.release(entry, obj));
    this.crds = new CRDController({ registry: this.registry, cache: this.cache, generic: this.generic, log });
    this.aggregator = new Aggregator({ registry: this.registry, cache: this.cache, generic: this.generic, log, frontProxy: opts.frontProxy });
    // Made while the registry holds the built-in resources only: those are its onstart APIServices.
    this.autoRegister = new AutoRegister({ registry: this.registry, cache: this.cache, generic: this.generic, log });
    this.extensionAuthentication = opts.frontProxy && opts.clientCaPem ? extensionAuthenticationConfigMap(opts.clientCaPem, opts.frontProxy) : undefined;
    this.tokens = opts.serviceAccountKeyPem ? new ServiceAccountTokens(opts.serviceAccountKeyPem) : undefined;
    this.serviceAccountAuth = this.tokens ? serviceAccountAuthenticator(this.tokens, this.cache, this.registry) : undefined;
    this.authenticator = new Authenticator([...(opts.tokenAuthenticators ?? []), ...(this.serviceAccountAuth ? [this.serviceAccountAuth] : []), bootstrapTokenAuthenticator(this.cache, this.registry, log)]);
  }

  async start(): Promise<void> {
    await this.cache.start();
    this.services.loadFrom(this.cache, this.registry);
    await this.crds.start();
    this.aggregator.start();
    if (this.eventTTLMs > 0) {
      const events = this.registry.find('', 'v1', 'events')!;
      this.eventExpiry = new EventExpiry(this.store, this.cache, events.prefix, { ttlMs: this.eventTTLMs, log: this.log });
      this.eventExpiry.start();
    }
  }

  /** The metrics.k8s.io scraper (created, not started: it starts on demand). */
  resourceMetrics(): MetricsScraper {
    this.scraper ??= new MetricsScraper({
      resolutionMs: this.metricResolutionMs,
      nodeNames: () => allNodeNames(this),
      fetch: (node, timeoutMs) => kubeletGet(this, node, '/metrics/resource', timeoutMs, this.kubeletClient),
      log: this.log,
    });
    return this.scraper;
  }

  /**
   * Stops the background work (event expiry, endpoint reconciliation, metrics scraping, the watch
   * cache's storage watch). This server's lease and address stay behind, as after a crash:
   * withdraw() first for a graceful stop.
   */
  stop(): void {
    this.scraper?.stop();
    this.kubernetesService?.abandon();
    this.authorization.stop();
    this.crds.stop();
    this.aggregator.stop();
    this.autoRegister.stop();
    this.eventExpiry?.stop();
    this.cache.stop();
  }

  async bootstrap(): Promise<void> {
    await bootstrapCluster(this);
    if (this.endpointReconciler.type !== 'none') {
      this.kubernetesService ??= new KubernetesServiceController({ store: this.store, generic: this.generic, registry: this.registry, log: this.log }, this.advertise, this.endpointReconciler);
      // Its first pass writes the endpoints before the server reports ready, as bootstrap did.
      await this.kubernetesService.start();
    }
    this.ready = true;
    // After ready, in the background, as upstream's kube-apiserver-autoregistration post-start hook.
    this.autoRegister.start();
  }

  /** Graceful shutdown's first step: this server leaves the `kubernetes` endpoints (upstream's pre-shutdown hook). */
  async withdraw(): Promise<void> {
    await this.kubernetesService?.stop();
  }

  /** The whole request path: authentication, authorization, routing. Never throws. */
  handle = (req: Request, res: Response): void => {
    const started = process.hrtime.bigint();
    let info: RequestInfo | undefined;
    const finish = () => {
      // The log line's fields are built only when it is written (debug is off by default).
      if (this.log?.isLevelEnabled('debug')) this.log.debug({ method: req.method, url: req.url, code: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
      if (info?.isResource) this.recordRequest(info, res.statusCode, started);
    };
    res.on('finish', finish);
    this.route(req, res, (i) => (info = i)).catch((err: unknown) => {
      const status = toStatusError(err);
      if (status.code >= 500) this.log?.error({ err, url: req.url, method: req.method }, 'request failed');
      if (res.headersSent) res.end();
      else writeError(res, status);
    });
  };

  /** apiserver_request_total and apiserver_request_duration_seconds for a finished resource request. */
  private recordRequest(i: RequestInfo, code: number, started: bigint): void {
    const scope = i.name ? 'resource' : i.namespace ? 'namespace' : 'cluster';
    // Path segments never hold a '/' unless one was escaped (%2F): then a key that cannot collide.
    const plain = !i.group.includes('/') && !i.version.includes('/') && !i.resource.includes('/') && !i.subresource.includes('/');
    const key = plain ? `${i.verb}/${scope}/${i.group}/${i.version}/${i.resource}/${i.subresource}` : JSON.stringify([i.verb, scope, i.group, i.version, i.resource, i.subresource]);
    let series = this.requestSeries.get(key);
    if (series === undefined) {
      const labels = () => ({
        verb: i.verb.toUpperCase(),
        dry_run: '',
        group: i.group,
        version: i.version,
        resource: i.resource,
        subresource: i.subresource,
        scope,
        component: 'apiserver',
      });
      series = { duration: this.requestDuration.get(key, labels), labels, totals: new Map() };
      this.requestSeries.set(key, series);
    }
    // The counter per status code, found by number: no "<key> <code>" string per request.
    let total = series.totals.get(code);
    if (total === undefined) {
      const labels = series.labels;
      total = this.requestTotal.get(`${key} ${code}`, () => ({ ...labels(), code: String(code) }));
      series.totals.set(code, total);
    }
    total.inc();
    series.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** The remote APIService of a path /apis/<group>/<version>[/…], if one serves it. */
  private remoteAPIService(path: string): RemoteAPIService | undefined {
    const slash = path.indexOf('/', 6);
    if (slash < 0) return undefined;
    const end = path.indexOf('/', slash + 1);
    return this.aggregator.remote(path.slice(6, slash), end < 0 ? path.slice(slash + 1) : path.slice(slash + 1, end));
  }

  private async route(req: Request, res: Response, setInfo: (i: RequestInfo) => void): Promise<void> {
    const { path, query } = splitTarget(req.url ?? '/');
    const info = parseRequestInfo(req.method ?? 'GET', path, query);
    setInfo(info);
    const found = this.authenticator.authenticate(req);
    const authenticated = found instanceof Promise ? await found : found;
    if (!authenticated) throw unauthorized();
    const user = impersonate(req, authenticated, this.authorizer);
    // A list or watch of one object by a metadata.name field selector is authorized as that object (upstream's RequestInfo).
    const collection = info.verb === 'list' || info.verb === 'watch';
    const fieldSelector = collection ? (query.get('fieldSelector') ?? undefined) : undefined;
    const name = info.name || (fieldSelector ? nameFromFieldSelector(fieldSelector) : '');
    const attrs = { user, verb: info.verb, isResource: info.isResource, group: info.group, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name, path, fieldSelector };
    let decision = this.authorizer.authorize(attrs);
    if (!decision.allowed) {
      // Authorizers read the watch cache, which may not hold a write acknowledged a moment ago
      // (a new binding, a pod bound to a node): a refusal is confirmed once it does.
      // (A cache that cannot catch up leaves the first answer standing.)
      await this.cache.syncToStore().catch(() => undefined);
      decision = this.authorizer.authorize(attrs);
      if (!decision.allowed) throw forbiddenError(attrs, decision.reason);
    }
    // An APIService another server serves: authenticated and authorized here, answered there.
    const remote = path.startsWith('/apis/') ? this.remoteAPIService(path) : undefined;
    if (remote) return this.aggregator.proxy(req, res, remote, user, req.url ?? path);
    if (path === '/metrics') {
      writeText(res, 200, await metricsText(), metricsContentType);
      return;
    }
    if (!info.isResource || !info.resource) {
      await handleNonResource(this, req, res, path, query);
      return;
    }
    const entry = this.registry.find(info.group, info.version, info.resource);
    if (!entry) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const r = { req, res, info, query, entry, user, store: this.generic };
    if (isVirtual(entry.type)) return handleVirtual(this, r);
    if (info.subresource && info.subresource !== 'status') {
      if (!hasSubresourceHandler(entry, info.subresource)) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      return handleSubresource(this, r);
    }
    return handleResource(r);
  }
}

const streamUploadWindow = 256 << 10;
const connectionUploadWindow = 32 << 20;

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const { store, bindAddress: _bind, port: _port, tls, log, advertiseAddress: _advertise, ...config } = opts;
  const api = new ApiServer(store, log, { ...config, clientCaPem: tls.clientCaPem });
  await api.start();
  const server: Http2SecureServer = createSecureServer(
    {
      allowHTTP1: true,
      cert: opts.tls.certPem,
      key: opts.tls.keyPem,
      ca: opts.tls.clientCaPem,
      requestCert: true,
      rejectUnauthorized: false,
      // Watches multiplex over one connection: allow as many streams as client-go opens. Request
      // bodies get kube-apiserver's per-stream upload window (256 KiB, its 99th percentile body)
      // instead of HTTP/2's default 64 KiB, so a large create does not wait on WINDOW_UPDATEs.
      settings: { maxConcurrentStreams: 1000, initialWindowSize: streamUploadWindow },
    },
  );
  // HTTP/2 streams are served through http2-exchange.ts, HTTP/1.1 requests as 'request' events.
  // The server installs Node's HTTP/2 compatibility API (a second 'stream' listener) when a
  // 'request' listener is added, from a 'newListener' hook: that hook goes first, or every stream
  // would be answered twice.
  server.removeAllListeners('newListener');
  server.on('request', api.handle);
  server.on('stream', serveHttp2Streams(api.handle));
  if (server.listenerCount('stream') !== 1) throw new Error('the HTTP/2 server serves streams twice (Node installed its compatibility API)');
  // Long-lived watches must not be cut by Node's default request timeouts.
  server.setTimeout(0);
  // HTTP/1.1 Upgrade (exec, attach, port-forward): the request goes through the same filter chain
  // with a response bound to the socket, so errors are ordinary Status responses; the stream
  // handler takes the socket over once the caller is authorized.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.on('finish', () => socket.end());
    (req as UpgradeRequest)[upgradeHead] = { socket, head };
    api.handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::' ? '127.0.0.1' : opts.bindAddress;
  api.advertise = { host: opts.advertiseAddress ?? host, port };
  await api.bootstrap();
  const sessions = new Set<{ destroy(): void }>();
  server.on('session', (s) => {
    sessions.add(s);
    // The connection-level window is not a SETTINGS value: raise it once the session is up.
    s.once('connect', () => s.setLocalWindowSize(connectionUploadWindow));
    s.on('close', () => sessions.delete(s));
  });
  const sockets = new Set<{ destroy(): void }>();
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  opts.log?.info({ url }, 'API server listening');
  return {
    port,
    url,
    api,
    close: async () => {
      api.ready = false;
      // While storage and the listener still serve, as upstream's pre-shutdown hook runs.
      await api.withdraw();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      api.stop();
      await closed;
    },
  };
}

export { writeJSON };
