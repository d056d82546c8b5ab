// The node agent (kubelet): registers the node, keeps its status and lease, merges the pod sources
// (API, static manifest directory, manifest URL) into one stream for the pod workers, relists the
// runtime (PLEG), and writes pod statuses. `startNodeAgent` returns as soon as everything is
// started; `ready` resolves once the Node is registered with condition Ready — nothing slow
// (informer sync, pods) is waited for first.
import { mkdirSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Client } from '../client/rest/client.js';
import { resources } from '../client/rest/builtin-resources.js';
import { newControllerContext } from '../controllers/context.js';
import { rateLimitedEventSink, restEventSink } from '../client/record/index.js';
import { eventRateLimit, type KubeletEventConfig } from './config/event-rate-limit.js';
import type { Runtime } from './runtime/types.js';
import { Backoff } from './backoff.js';
import { apiEnvProvider, proberFor } from './collaborators.js';
import { FileSource } from './config/file-source.js';
import { PodSourceMerger } from './config/pod-source.js';
import { UrlSource } from './config/url-source.js';
import { MirrorPods } from './mirror-pods.js';
import { parseReserved } from './nodestatus/allocatable.js';
import { NodeLease } from './nodestatus/lease.js';
import { defaultNodeIP } from './nodestatus/machine-info.js';
import { NodeStatusReporter } from './nodestatus/node-status.js';
import { Pleg } from './pleg.js';
import { isMirrorPod, isStaticPod } from './pod-util.js';
import { PodWorkers } from './pod-workers.js';
import { podUidLabel } from './container-labels.js';
import { StatusManager } from './status/status-manager.js';
import { type EnvProvider, type HookRunner, type Prober, type VolumeHost } from './sync-deps.js';
import { PodSyncer } from './sync-pod.js';
import { runLifecycleHandler } from './lifecycle/handler-runner.js';
import { VolumeManager } from './volumes/volume-manager.js';
import { EvictionManager } from './eviction/manager.js';
import type { Threshold } from './eviction/types.js';
import { StatsProvider } from './stats/provider.js';
import { resourceMetricsText } from './stats/resource-metrics.js';
import type { NodeSignals } from './stats/types.js';
import { evictionHardReservation } from './eviction/allocatable.js';
import { deadContainerReclaimer } from './eviction/reclaim.js';
import { parseThresholdConfig } from './eviction/thresholds.js';
import { machineCapacity } from './nodestatus/machine-info.js';
import { startKubeletServer, type KubeletServer } from './server/server.js';
import { ensureKubeletServingCert } from './server/serving-cert.js';

export const defaultProcessPodCidr = '127.1.0.0/16';

export interface NodeAgentOptions extends KubeletEventConfig {
  client: Client;
  /** Default: the hostname, lowercased. */
  nodeName?: string;
  /** The agent's directory (pod dirs, termination messages, logs). */
  rootDir: string;
  runtime: Runtime;
  /** spec.podCIDR(s); default 127.1.0.0/16 (the process runtime's loopback range). */
  podCidr?: string;
  /** The node's InternalIP (status.hostIP of its pods). Default: first non-loopback IPv4. */
  nodeIP?: string;
  log: Logger;
  /** Static pod manifests (--pod-manifest-path). */
  podManifestPath?: string;
  /** Cluster DNS server IPs (--cluster-dns) and domain for pods with dnsPolicy ClusterFirst. */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** A manifest URL polled for static pods (--manifest-url). */
  manifestUrl?: string;
  manifestUrlHeaders?: Record<string, string>;
  /** "cpu=100m,memory=100Mi" */
  systemReserved?: string;
  kubeReserved?: string;
  maxPods?: number;
  nodeLabels?: Record<string, string>;
  /** Restart back-off (default 10 s doubling to 5 min). */
  backoff?: { initialMs: number; maxMs: number };
  plegPeriodMs?: number;
  resyncIntervalMs?: number;
  fileCheckFrequencyMs?: number;
  nodeStatusUpdateFrequencyMs?: number;
  leaseRenewIntervalMs?: number;
  /**
   * Serve the kubelet API (logs, exec, attach, port-forward, /pods, /healthz) over HTTPS: port 0
   * picks a free one; clients must present a certificate signed by clientCaPem (the API server's
   * kubelet client). Without tls a self-signed serving certificate is made under rootDir/pki.
   */
  kubeletServer?: { port: number; bindAddress?: string; clientCaPem: string; tls?: { certPem: string; keyPem: string } };
  /**
   * Eviction under node pressure (eviction/manager.ts): thresholds (default upstream's hard ones),
   * how often to check. `false` turns it off. Stats also feed the kubelet API's /stats/summary.
   */
  eviction?: false | { thresholds?: Threshold[]; intervalMs?: number; maxPodGracePeriodSeconds?: number; pressureTransitionPeriodMs?: number; signals?: NodeSignals };
  /** Replace the collaborators (tests). */
  env?: EnvProvider;
  volumes?: VolumeHost;
  prober?: Prober;
  hooks?: HookRunner;
}

export interface NodeAgent {
  nodeName: string;
  /** Resolves once the Node is registered and Ready and the kubelet API (if asked for) listens. */
  ready: Promise<void>;
  /** Stops the agent; with killPods (k8ts up's Ctrl-C) every pod is stopped gracefully first. */
  stop(opts?: { killPods: boolean }): Promise<void>;
  /** Internals for tests and the kubelet server. */
  workers: PodWorkers;
  statusManager: StatusManager;
  /** The kubelet API's port (the one it listens on once `ready`; 10250 when not served). */
  readonly kubeletPort: number;
}

export async function startNodeAgent(opts: NodeAgentOptions): Promise<NodeAgent> {
  const host = osHostname();
  const nodeName = (opts.nodeName ?? host).toLowerCase();
  const log = opts.log;
  const { client, runtime } = opts;
  mkdirSync(opts.rootDir, { recursive: true, mode: 0o700 });
  const nodeIP = opts.nodeIP ?? defaultNodeIP();
  const podCidrs = (opts.podCidr ?? defaultProcessPodCidr).split(',').map((s) => s.trim()).filter(Boolean);
  const reserved = [parseReserved(opts.systemReserved), parseReserved(opts.kubeReserved)];

  // Set below once the pieces it needs exist; read by closures only.
  let eviction: EvictionManager | undefined;
  // Upstream's kubelet writes events through a client of their own, limited to eventRecordQPS/eventBurst.
  const eventsFlushing = new AbortController();
  const eventSink = rateLimitedEventSink(restEventSink(client), eventRateLimit(opts), undefined, eventsFlushing.signal);
  const ctx = newControllerContext(client, log, { host: nodeName, eventSink });
  const recorder = ctx.recorder('kubelet');

  // Parsed once: the eviction manager acts on them, allocatable reserves the hard ones.
  const thresholds = opts.eviction === false ? [] : (opts.eviction?.thresholds ?? parseThresholdConfig());
  const cap = machineCapacity(opts.rootDir, opts.maxPods);

  const v = runtime.version();
  const nodeStatus = new NodeStatusReporter({
    client,
    nodeName,
    rootDir: opts.rootDir,
    nodeIP,
    hostname: host,
    runtimeVersion: `${runtime.name}://${v.runtimeVersion}`,
    podCidrs,
    reserved,
    evictionHard: evictionHardReservation(thresholds, { memoryBytes: cap.memoryBytes, nodefsBytes: cap.ephemeralStorageBytes }),
    maxPods: opts.maxPods,
    labels: opts.nodeLabels,
    log,
    updateFrequencyMs: opts.nodeStatusUpdateFrequencyMs,
    kubeletPort: () => kubeletPort,
  });
  let kubeletPort = opts.kubeletServer?.port ?? 10250;
  const lease = new NodeLease({ client, nodeName, nodeUid: () => nodeStatus.uid, log, renewIntervalMs: opts.leaseRenewIntervalMs });
  const ready = nodeStatus.register().then(() => {
    nodeStatus.start();
    lease.start();
    mirrorPods.setStaticPods(merger.pods('file').concat(merger.pods('http')));
  });
  ready.catch((err: unknown) => log.error({ err }, 'cannot register node'));

  const mirrorPods = new MirrorPods({ client, nodeName, nodeUid: () => nodeStatus.uid, log });
  const statusManager = new StatusManager({ client, log, target: (pod) => (isStaticPod(pod) ? mirrorPods.target(pod) : defaultTarget(pod)) });
  statusManager.start();

  const podInformer = ctx.informers.for(resources.pods, { fieldSelector: `spec.nodeName=${nodeName}` });
  const serviceInformer = ctx.informers.for(resources.services);
  let workers: PodWorkers | undefined;
  const prober = opts.prober ?? proberFor({ runtime, recorder, log, onUpdate: (uid) => workers?.syncPod(uid) });
  const volumes = opts.volumes ?? new VolumeManager({ rootDir: opts.rootDir, client, nodeName, log });
  const syncer = new PodSyncer({
    runtime,
    rootDir: opts.rootDir,
    nodeName,
    hostIP: nodeIP,
    recorder,
    log,
    status: statusManager,
    env: opts.env ?? apiEnvProvider({ client, nodeName, hostIP: nodeIP, services: () => serviceInformer.getStore().list() as Service[], recorder }),
    volumes,
    prober,
    hooks: opts.hooks ?? runLifecycleHandler,
    dns: { clusterDNS: opts.clusterDNS ?? [], clusterDomain: opts.clusterDomain ?? 'cluster.local' },
    backoff: opts.backoff ? new Backoff(opts.backoff.initialMs, opts.backoff.maxMs) : undefined,
    admit: (pod) => eviction?.admitPod(pod) ?? { admit: true },
  });
  workers = new PodWorkers({ syncer, log, resyncIntervalMs: opts.resyncIntervalMs });
  const w = workers;

  const merger = new PodSourceMerger({
    onPodUpdate: (pod) => w.updatePod(pod),
    onPodRemove: (pod) => w.removePod(pod.metadata?.uid ?? ''),
  });
  const staticChanged = () => {
    if (nodeStatus.uid) mirrorPods.setStaticPods(merger.pods('file').concat(merger.pods('http')));
  };
  const syncStaticOf = (mirror: Pod) => {
    for (const s of merger.pods('file').concat(merger.pods('http'))) {
      if (s.metadata?.name === mirror.metadata?.name && s.metadata?.namespace === mirror.metadata?.namespace) w.syncPod(s.metadata?.uid ?? '');
    }
  };

  podInformer.addEventHandler({
    onAdd: (pod) => {
      if (isMirrorPod(pod)) {
        mirrorPods.observe(pod);
        syncStaticOf(pod);
      } else merger.update('api', pod);
    },
    onUpdate: (old, pod) => {
      if (isMirrorPod(pod)) {
        mirrorPods.observe(pod);
        syncStaticOf(pod);
      } else if (desiredStateChanged(old, pod)) merger.update('api', pod);
    },
    onDelete: (obj) => {
      const pod = ('obj' in obj && 'key' in obj ? obj.obj : obj) as Pod;
      if (isMirrorPod(pod)) mirrorPods.forget(pod);
      else merger.remove('api', pod);
    },
  });

  const sources: { stop(): void }[] = [];
  if (opts.podManifestPath) {
    const fs = new FileSource({
      path: opts.podManifestPath,
      nodeName,
      log,
      periodMs: opts.fileCheckFrequencyMs,
      onPods: (pods) => {
        merger.setSource('file', pods);
        staticChanged();
      },
    });
    fs.start();
    sources.push(fs);
  }
  if (opts.manifestUrl) {
    const us = new UrlSource({
      url: opts.manifestUrl,
      headers: opts.manifestUrlHeaders,
      nodeName,
      log,
      periodMs: opts.fileCheckFrequencyMs,
      onPods: (pods) => {
        merger.setSource('http', pods);
        staticChanged();
      },
    });
    us.start();
    sources.push(us);
  }

  const stats = new StatsProvider({ nodeName, rootDir: opts.rootDir, runtime, pods: () => w.knownPods(), signals: opts.eviction ? opts.eviction.signals : undefined });
  if (opts.eviction !== false) {
    eviction = new EvictionManager({
      thresholds,
      pressureTransitionPeriodMs: opts.eviction?.pressureTransitionPeriodMs,
      reclaimNodeResources: deadContainerReclaimer(runtime, log),
      intervalMs: opts.eviction?.intervalMs,
      maxPodGracePeriodSeconds: opts.eviction?.maxPodGracePeriodSeconds,
      summary: stats,
      activePods: () => w.activePods(),
      evictPod: (pod, e) => w.evictPod(pod, e),
      podCleanedUp: (pod) => !w.activePods().some((p) => p.metadata?.uid === pod.metadata?.uid),
      onConditionsChanged: () => {
        const c = eviction!.conditions();
        nodeStatus.pressure = { memory: c.memoryPressure, disk: c.diskPressure, pid: c.pidPressure };
        void nodeStatus.update(true).catch((err: unknown) => log.warn({ err }, 'cannot update node status'));
      },
      recorder,
      nodeRef: { kind: 'Node', name: nodeName, uid: nodeName, apiVersion: 'v1' },
      log,
    });
  }

  const pleg = new Pleg({ runtime, log, periodMs: opts.plegPeriodMs, onPodChanged: (uid) => w.syncPod(uid) });
  ctx.informers.start();
  pleg.start();
  // Pressure is checked once the node exists (its conditions go to the Node).
  void ready.then(() => eviction?.start()).catch(() => undefined);

  // Housekeeping (upstream HandlePodCleanups): once the API pods are known, runtime pods no
  // source has are stopped and removed.
  let housekeeping: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  void ctx.informers.waitForCacheSync(abort.signal).then((synced) => {
    if (!synced) return;
    const clean = async () => {
      const sandboxes = await runtime.listPodSandboxes().catch(() => []);
      for (const uid of new Set(sandboxes.map((s) => s.labels[podUidLabel] ?? ''))) {
        if (uid && !w.has(uid)) await syncer.forgetPod(uid).catch((err: unknown) => log.warn({ err, uid }, 'cannot remove orphaned pod'));
      }
    };
    const tick = () => {
      void clean().finally(() => {
        if (!abort.signal.aborted) housekeeping = setTimeout(tick, 10_000);
      });
    };
    tick();
  });

  // The kubelet API starts beside registration (a serving certificate may have to be made first);
  // the node's status learns its port when it listens.
  let server: KubeletServer | undefined;
  const serverStarted = opts.kubeletServer ? startServer(opts.kubeletServer) : Promise.resolve();
  async function startServer(s: NonNullable<NodeAgentOptions['kubeletServer']>): Promise<void> {
    try {
      const tls = s.tls ?? (await ensureKubeletServingCert(opts.rootDir, { hostname: host, ips: [nodeIP] }));
      server = await startKubeletServer({ port: s.port, bindAddress: s.bindAddress ?? '0.0.0.0', tls, clientCaPem: s.clientCaPem, runtime, pods: () => w.knownPods(), statsSummary: () => stats.summary(), resourceMetrics: () => stats.cpuAndMemory().then(resourceMetricsText, () => resourceMetricsText(undefined)), log });
      kubeletPort = server.port;
      await ready.then(() => nodeStatus.update(true)).catch(() => undefined);
    } catch (err) {
      // Fatal, as upstream's kubelet exits when it cannot listen: a node whose API server cannot
      // reach it for logs, exec and port-forward must not be reported Ready.
      log.error({ err }, 'cannot serve the kubelet API');
      throw new Error(`cannot serve the kubelet API on port ${s.port}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  let stopped = false;
  return {
    get kubeletPort() {
      return kubeletPort;
    },
    nodeName,
    ready: Promise.all([ready, serverStarted]).then(() => undefined),
    workers: w,
    statusManager,
    async stop(stopOpts = { killPods: false }) {
      if (stopped) return;
      stopped = true;
      abort.abort();
      clearTimeout(housekeeping);
      for (const s of sources) s.stop();
      mirrorPods.stop();
      await eviction?.stop();
      await serverStarted.catch(() => undefined);
      await server?.close();
      await pleg.stop();
      await w.shutdown(stopOpts.killPods);
      (prober as { stop?(): void }).stop?.();
      // The shared ConfigMap/Secret watches of the pods' volumes.
      (volumes as { stop?(): void }).stop?.();
      await ready.catch(() => undefined);
      await Promise.all([nodeStatus.stop(), lease.stop()]);
      await statusManager.stop();
      eventsFlushing.abort();
      await ctx.close();
    },
  };
}

/** Our own status writes come back as updates; only a change of what the pod should be needs a sync. */
function desiredStateChanged(old: Pod, pod: Pod): boolean {
  const a = old.metadata ?? {};
  const b = pod.metadata ?? {};
  if (a.uid !== b.uid || a.deletionTimestamp !== b.deletionTimestamp || a.deletionGracePeriodSeconds !== b.deletionGracePeriodSeconds) return true;
  if (JSON.stringify(a.labels) !== JSON.stringify(b.labels) || JSON.stringify(a.annotations) !== JSON.stringify(b.annotations)) return true;
  if (JSON.stringify(old.spec) !== JSON.stringify(pod.spec)) return true;
  // Readiness gates are conditions others write.
  return (pod.spec?.readinessGates?.length ?? 0) > 0 && JSON.stringify(old.status?.conditions) !== JSON.stringify(pod.status?.conditions);
}

function defaultTarget(pod: Pod) {
  const m = pod.metadata;
  if (!m?.name || !m.uid) return undefined;
  return { namespace: m.namespace ?? 'default', name: m.name, uid: m.uid };
}
