// The node lifecycle controller (upstream pkg/controller/nodelifecycle):
// - every nodeMonitorPeriod it checks each node's heartbeats (the Ready condition's
//   lastHeartbeatTime and the node's Lease in kube-node-lease); a node silent for longer than the
//   grace period gets Ready/MemoryPressure/DiskPressure/PIDPressure = Unknown;
// - on every node change it keeps the NoSchedule taints in line with the conditions
//   (not-ready, unreachable, pressure, unschedulable);
// - a node whose Ready is False/Unknown gets the not-ready/unreachable NoExecute taint, at a
//   per-zone rate that slows down (or stops) when a large part of a zone — or of the whole
//   cluster — is unhealthy, so a partition does not trigger mass eviction. The taint eviction
//   controller turns NoExecute taints into pod deletions;
// - when a node stops being Ready (and whenever a pod lands on a node that is not Ready) the
//   pods on it get Ready=False (upstream MarkPodsNotReady), so Services stop sending them traffic.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import { newRateLimitingQueue, runWorkers, TokenBucket } from '../../client/workqueue/index.js';
import { realClock, type Clock, type TimerHandle } from '../../client/clock.js';
import type { Controller, ControllerContext } from '../context.js';
import { markUnknown, observe, type NodeHealth } from './node-health.js';
import { markPodsNotReady } from './mark-pods.js';
import { condition, desiredNoScheduleTaints, hasTaint, managedNoScheduleKeys, taintNotReady, taintUnreachable } from './taints.js';
import { updateNodeTaints } from './update-taints.js';
import { computeZoneState, defaultEvictionRates, zoneKey, zoneQPS, type EvictionRates, type ZoneState } from './zones.js';

export const nodeLeaseNamespace = 'kube-node-lease';

/** Pods filed under the node they are bound to (the taint eviction controller registers the same index). */
const nodeNameIndex = 'spec.nodeName';

export interface NodeLifecycleOptions {
  clock?: Clock;
  /** How often node health is checked (--node-monitor-period, 5 s). */
  nodeMonitorPeriodMs?: number;
  /** Silence after which a node is Unknown (--node-monitor-grace-period, 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** Silence allowed to a node that never posted Ready (--node-startup-grace-period, 60 s). */
  nodeStartupGracePeriodMs?: number;
  /** How often the per-zone NoExecute queues are worked (upstream 100 ms). */
  nodeEvictionPeriodMs?: number;
  rates?: Partial<EvictionRates>;
  /** Called after a node's heartbeats were looked at (tests wait on it instead of sleeping). */
  onObserved?: (nodeName: string, health: NodeHealth) => void;
}

type K<T> = T & { metadata: NonNullable<T extends { metadata?: infer M } ? M : never> };

function nowTime(clock: Clock): string {
  return new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface ZoneQueue {
  /** Node names waiting for a NoExecute taint, in arrival order. */
  nodes: Set<string>;
  qps: number;
  bucket?: TokenBucket;
}

export function newNodeLifecycleController(ctx: ControllerContext, opts: NodeLifecycleOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const monitorPeriod = opts.nodeMonitorPeriodMs ?? 5000;
  const grace = { monitorMs: opts.nodeMonitorGracePeriodMs ?? 40_000, startupMs: opts.nodeStartupGracePeriodMs ?? 60_000 };
  const evictionPeriod = opts.nodeEvictionPeriodMs ?? 100;
  const rates: EvictionRates = { ...defaultEvictionRates, ...opts.rates };
  const log = ctx.log.child({ controller: 'node-lifecycle' });
  const recorder = ctx.recorder('node-controller');
  const nodes = ctx.informers.for(resources.nodes);
  const leases = ctx.informers.for(resources.leases, { namespace: nodeLeaseNamespace });
  const pods = ctx.informers.for(resources.pods, { indexers: { [nodeNameIndex]: (p: Pod) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
  const nodeClient = ctx.client.resource(resources.nodes);
  const podClient = ctx.client.resource(resources.pods);
  // NoSchedule taints follow node changes at once (upstream nodeUpdateQueue).
  // Retry backoff runs on real time; the injected clock drives heartbeats and rates.
  const taintQueue = newRateLimitingQueue<string>({ name: 'node_lifecycle_controller' });
  // Pods newly bound to a node, to be marked not ready if the node is not Ready (upstream podUpdateQueue).
  const podQueue = newRateLimitingQueue<string>({ name: 'node_lifecycle_controller_pods' });
  // Nodes whose pods could not all be marked not ready; the next monitor pass tries again.
  const nodesToRetry = new Set<string>();

  const health = new Map<string, NodeHealth>();
  const zoneStates = new Map<string, ZoneState>();
  const zoneQueues = new Map<string, ZoneQueue>();

  const getNode = (name: string) => nodes.getIndexer().getByKey(name) as K<Node> | undefined;
  // Nodes as we last wrote them: newer than the informer's copy until its watch catches up.
  const written = new Map<string, K<Node>>();
  const remember = (n: K<Node>) => written.set(n.metadata.name!, n);
  /** The freshest known state of a node (undefined once the informer says it is gone). */
  function freshNode(name: string): K<Node> | undefined {
    const cached = getNode(name);
    const mine = written.get(name);
    if (!cached) {
      written.delete(name);
      return undefined;
    }
    if (mine && Number(mine.metadata.resourceVersion) > Number(cached.metadata.resourceVersion)) return mine;
    written.delete(name);
    return cached;
  }

  /** Records a heartbeat as soon as the informer shows it (the monitor pass also looks). */
  function observeNow(name: string): void {
    const node = getNode(name);
    if (!node) return;
    const lease = leases.getIndexer().getByKey(`${nodeLeaseNamespace}/${name}`) as Lease | undefined;
    const { health: h } = observe(health.get(name), node, lease, clock.now(), grace);
    health.set(name, h);
    opts.onObserved?.(name, h);
  }

  nodes.addEventHandler({
    onAdd: (n: Node) => {
      taintQueue.add(n.metadata!.name!);
      observeNow(n.metadata!.name!);
    },
    onUpdate: (_o: Node, n: Node) => {
      taintQueue.add(n.metadata!.name!);
      observeNow(n.metadata!.name!);
    },
  });
  pods.addEventHandler({
    onAdd: (p: Pod) => {
      if (p.spec?.nodeName) podQueue.add(`${p.metadata!.namespace}/${p.metadata!.name}`);
    },
    onUpdate: (o: Pod, p: Pod) => {
      if (p.spec?.nodeName && p.spec.nodeName !== o.spec?.nodeName) podQueue.add(`${p.metadata!.namespace}/${p.metadata!.name}`);
    },
  });
  leases.addEventHandler({
    onAdd: (l: Lease) => observeNow(l.metadata!.name!),
    onUpdate: (_o: Lease, l: Lease) => observeNow(l.metadata!.name!),
  });

  // ---- pods on nodes that are not Ready ------------------------------------------------

  const podsOn = (name: string) => pods.getIndexer().byIndex(nodeNameIndex, name) as Pod[];

  /** processPod: a pod bound to a node we know to be not Ready is marked not ready too. */
  async function syncPodOnNode(key: string): Promise<void> {
    const pod = pods.getIndexer().getByKey(key) as Pod | undefined;
    const nodeName = pod?.spec?.nodeName;
    // Nodes the monitor has not looked at yet are handled by its first pass.
    if (!pod || !nodeName || !health.has(nodeName)) return;
    const node = freshNode(nodeName);
    const ready = node && condition(node, 'Ready');
    if (!ready || ready.status === 'True') return;
    await markPodsNotReady(podClient, recorder, [pod], nodeName, clock.now());
  }

  // ---- NoSchedule taints ----------------------------------------------------------------

  /** The node's taints with the NoSchedule ones its conditions call for; undefined if they are in line. */
  function withNoScheduleTaints(node: Node): Taint[] | undefined {
    const want = desiredNoScheduleTaints(node);
    const taints = node.spec?.taints ?? [];
    const have = taints.filter((t) => t.effect === 'NoSchedule' && managedNoScheduleKeys.has(t.key)).map((t) => t.key);
    const add = want.filter((k) => !have.includes(k));
    const remove = have.filter((k) => !want.includes(k));
    if (!add.length && !remove.length) return undefined;
    const next: Taint[] = taints.filter((t) => !(t.effect === 'NoSchedule' && remove.includes(t.key)));
    for (const key of add) next.push({ key, effect: 'NoSchedule', timeAdded: nowTime(clock) });
    return next;
  }

  async function syncNoScheduleTaints(name: string): Promise<void> {
    const node = freshNode(name);
    if (!node) return;
    const written = await updateNodeTaints(nodeClient, node, withNoScheduleTaints);
    if (written && written !== node) remember(written as K<Node>);
  }

  // ---- NoExecute taints, rate-limited per zone -------------------------------------------

  function zoneQueue(zone: string): ZoneQueue {
    let q = zoneQueues.get(zone);
    if (!q) zoneQueues.set(zone, (q = { nodes: new Set(), qps: rates.evictionQPS }));
    return q;
  }

  function setZoneQPS(zone: string, qps: number): void {
    const q = zoneQueue(zone);
    if (q.qps === qps && q.bucket) return;
    q.qps = qps;
    // A zero rate never admits; a new rate starts with a full bucket of one (upstream SwapLimiter).
    q.bucket = qps > 0 ? new TokenBucket(qps, 1, clock.now()) : undefined;
  }

  /** The node's taints with `key` (or none) as its only NoExecute controller taint; undefined if it already is. */
  function withNoExecuteTaint(node: Node, key: string | undefined): Taint[] | undefined {
    const taints = node.spec?.taints ?? [];
    const others = taints.filter((t) => !(t.effect === 'NoExecute' && (t.key === taintNotReady || t.key === taintUnreachable)));
    const current = taints.filter((t) => t.effect === 'NoExecute' && (t.key === taintNotReady || t.key === taintUnreachable));
    if (key && current.length === 1 && current[0].key === key) return undefined;
    if (!key && !current.length) return undefined;
    return key ? [...others, { key, effect: 'NoExecute', timeAdded: nowTime(clock) }] : others;
  }

  /** Replaces the node's NoExecute controller taints with `key` (or none); false if conflicts outlasted the retries. */
  async function swapNoExecuteTaint(node: K<Node>, key: string | undefined): Promise<boolean> {
    try {
      const written = await updateNodeTaints(nodeClient, node, (n) => withNoExecuteTaint(n, key));
      if (written && written !== node) remember(written as K<Node>);
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** One tick of the NoExecute tainter: each zone taints as many queued nodes as its rate allows. */
  async function doNoExecuteTaintingPass(): Promise<void> {
    for (const q of zoneQueues.values()) {
      for (const name of [...q.nodes]) {
        const node = freshNode(name);
        const ready = node ? condition(node, 'Ready')?.status : 'True';
        if (!node || ready === 'True' || ready === undefined) {
          q.nodes.delete(name);
          continue;
        }
        if (!q.bucket || !q.bucket.tryAccept(clock.now())) break;
        const key = ready === 'False' ? taintNotReady : taintUnreachable;
        if (await swapNoExecuteTaint(node, key)) q.nodes.delete(name);
      }
    }
  }

  /** processTaintBaseEviction: queue unhealthy nodes for tainting; healthy nodes lose the taints. */
  async function processTaintBaseEviction(node: K<Node>, ready: string | undefined): Promise<void> {
    const zone = zoneKey(node);
    if (ready === 'False' || ready === 'Unknown') {
      const want = ready === 'False' ? taintNotReady : taintUnreachable;
      const other = ready === 'False' ? taintUnreachable : taintNotReady;
      // Already evicting for the other reason: switch the taint at once, no new rate-limited step.
      if (hasTaint(node, other, 'NoExecute')) await swapNoExecuteTaint(node, want);
      else if (!hasTaint(node, want, 'NoExecute')) {
        zoneQueue(zone).nodes.add(node.metadata.name!);
        // No need to wait for the next tick; the zone's rate still applies.
        tainter.kick();
      }
    } else if (ready === 'True') {
      zoneQueue(zone).nodes.delete(node.metadata.name!);
      await swapNoExecuteTaint(node, undefined);
    }
  }

  // ---- health monitor -------------------------------------------------------------------

  async function monitorNodeHealth(): Promise<void> {
    const all = nodes.getIndexer().list() as K<Node>[];
    const now = clock.now();
    const zoneReady = new Map<string, (string | undefined)[]>();
    const current: K<Node>[] = [];
    for (const cached of all) {
      const name = cached.metadata.name!;
      let node = freshNode(name) ?? cached;
      const lease = leases.getIndexer().getByKey(`${nodeLeaseNamespace}/${name}`) as Lease | undefined;
      const { health: h, graceMs } = observe(health.get(name), node, lease, now, grace);
      health.set(name, h);
      opts.onObserved?.(name, h);
      const observedReady = condition(node, 'Ready')?.status;
      if (now > h.probeTimestamp + graceMs) {
        const conditions = markUnknown(node, now);
        if (conditions) {
          const wasReady = condition(node, 'Ready')?.status === 'True';
          try {
            node = (await nodeClient.updateStatus({ ...node, status: { ...node.status, conditions } })) as K<Node>;
            remember(node);
            log.info({ node: name }, 'node stopped posting status; conditions set to Unknown');
            if (wasReady) recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
          } catch (err) {
            if (!isNotFound(err) && !isConflict(err)) throw err;
          }
        }
      }
      current.push(node);
      const ready = condition(node, 'Ready')?.status;
      await markPodsIfNodeWentDown(node, observedReady, ready);
      const zone = zoneKey(node);
      if (!zoneReady.has(zone)) zoneReady.set(zone, []);
      zoneReady.get(zone)!.push(ready);
      await processTaintBaseEviction(node, ready);
    }
    for (const name of health.keys()) if (!getNode(name)) health.delete(name);
    await handleDisruption(zoneReady, current);
  }

  /**
   * Marks the node's pods not ready when this pass took the node out of Ready, or when an
   * earlier attempt failed and the node is still not Ready (upstream nodesToRetry).
   */
  async function markPodsIfNodeWentDown(node: K<Node>, observedReady: string | undefined, ready: string | undefined): Promise<void> {
    const name = node.metadata.name!;
    if (ready === undefined) return;
    const wentDown = observedReady === 'True' && ready !== 'True';
    if (wentDown || (nodesToRetry.has(name) && observedReady !== 'True')) {
      try {
        await markPodsNotReady(podClient, recorder, podsOn(name), name, clock.now());
      } catch (err) {
        log.warn({ err, node: name }, 'unable to mark all pods not ready on node; will retry');
        nodesToRetry.add(name);
        return;
      }
    }
    nodesToRetry.delete(name);
  }

  async function handleDisruption(zoneReady: Map<string, (string | undefined)[]>, current: K<Node>[]): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    for (const [zone, statuses] of zoneReady) newStates.set(zone, computeZoneState(statuses, rates.unhealthyZoneThreshold).state);
    let allWasFullyDisrupted = true;
    for (const [zone, state] of [...zoneStates]) {
      if (!zoneReady.has(zone)) {
        zoneStates.delete(zone);
        zoneQueues.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') allWasFullyDisrupted = false;
    }
    for (const zone of newStates.keys()) if (!zoneStates.has(zone)) allWasFullyDisrupted = false;
    const allAreFullyDisrupted = newStates.size > 0 && [...newStates.values()].every((s) => s === 'FullDisruption');

    if (allAreFullyDisrupted && !allWasFullyDisrupted) {
      // Every node is unhealthy: more likely the control plane's network than the nodes. Stop evicting.
      log.warn('all nodes are not ready: entering master disruption mode; NoExecute tainting stops');
      for (const node of current) await swapNoExecuteTaint(node, undefined);
      for (const zone of newStates.keys()) {
        setZoneQPS(zone, 0);
        zoneStates.set(zone, newStates.get(zone)!);
      }
      return;
    }
    if (allWasFullyDisrupted && !allAreFullyDisrupted && zoneStates.size > 0) {
      log.info('some nodes are ready again: leaving master disruption mode');
      // Heartbeats were not reaching us; give every node a fresh grace period.
      const now = clock.now();
      for (const h of health.values()) {
        h.probeTimestamp = now;
        h.readyTransitionTimestamp = now;
      }
    }
    for (const [zone, state] of newStates) {
      if (allAreFullyDisrupted) continue;
      if (zoneStates.get(zone) !== state || !zoneQueue(zone).bucket) setZoneQPS(zone, zoneQPS(state, zoneReady.get(zone)!.length, rates));
      zoneStates.set(zone, state);
    }
  }

  const monitor = newTicker(clock, monitorPeriod, monitorNodeHealth, log);
  const tainter = newTicker(clock, evictionPeriod, doNoExecuteTaintingPass, log);

  return {
    name: 'node-lifecycle',
    async run(signal) {
      await Promise.all([
        runWorkers(taintQueue, 1, (name) => syncNoScheduleTaints(name), signal, { log }),
        runWorkers(podQueue, 1, (key) => syncPodOnNode(key), signal, { log }),
        monitor.run(signal),
        tainter.run(signal),
      ]);
    },
  };
}

interface Ticker {
  /** Runs the work now (or right after the pass in progress). */
  kick(): void;
  /** Runs the work every period until the signal aborts; resolves after the last pass. */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Periodic work that never overlaps itself. The timer is re-armed synchronously when it fires,
 * so a fake clock stepping over several periods fires each of them.
 */
function newTicker(clock: Clock, periodMs: number, work: () => Promise<void>, log: ControllerContext['log']): Ticker {
  let running: Promise<void> | undefined;
  let pending = false;
  let stopped = true;
  const kick = () => {
    if (stopped) return;
    if (running) {
      pending = true;
      return;
    }
    running = work()
      // A conflict means the kubelet wrote the Node meanwhile; the next pass reads it again.
      .catch((err: unknown) => (isConflict(err) ? log.debug({ err }, 'node lifecycle pass raced a node update') : log.error({ err }, 'node lifecycle pass failed')))
      .finally(() => {
        running = undefined;
        if (pending) {
          pending = false;
          kick();
        }
      });
  };
  return {
    kick,
    run(signal) {
      if (signal.aborted) return Promise.resolve();
      stopped = false;
      let timer: TimerHandle | undefined;
      const arm = () => {
        timer = clock.setTimeout(() => {
          if (stopped) return;
          arm();
          kick();
        }, periodMs);
      };
      arm();
      kick();
      return new Promise<void>((resolve) => {
        signal.addEventListener(
          'abort',
          () => {
            stopped = true;
            timer?.cancel();
            void (running ?? Promise.resolve()).then(() => resolve());
          },
          { once: true },
        );
      });
    },
  };
}
