// The scheduler (upstream pkg/scheduler/scheduler.go and schedule_one.go). One loop pops a pod,
// refreshes the snapshot, finds the nodes that fit (PreFilter, Filter over a rotating window
// of nodes, extenders), scores them, picks the best, assumes the pod there and reserves; the
// binding cycle (Permit wait, PreBind, Bind, PostBind) then runs asynchronously so many binds
// are in flight while the loop schedules the next pod. A failure runs PostFilter (preemption)
// and the failure handler: back to the queue, a FailedScheduling event, PodScheduled=False.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Client } from '../client/rest/client.js';
import type { EventRecorder } from '../client/events/index.js';
import type { Informers } from '../controllers/context.js';
import { resources } from '../client/rest/builtin-resources.js';
import type { SharedIndexInformer } from '../client/cache/shared-informer.js';
import { dropManagedFields } from '../client/cache/managed-fields.js';
import type { KubeObject } from '../api/object.js';
import { SchedulerCache } from './cache/cache.js';
import { Snapshot } from './cache/snapshot.js';
import type { SchedulerConfiguration } from './config/types.js';
import { CycleState } from './framework/cycle-state.js';
import type { NodeInfo } from './framework/node-info.js';
import { newPodInfo, podReference } from './framework/pod-info.js';
import { Framework } from './framework/runtime.js';
import { Code, Status } from './framework/status.js';
import { ActionType, MAX_NODE_SCORE, type Extender, type QueuedPodInfo } from './framework/types.js';
import { addPluginStatus, FitError, newDiagnosis, NoNodesAvailableError, type Diagnosis } from './fit-error.js';
import { bindingCycles, cacheSize, goroutines, pendingPods, podSchedulingSLIDuration, scheduleAttempts, scheduledLabels, schedulingAttemptDuration } from './metrics.js';
import { truncateMessage, updatePodCondition } from './pod-status.js';
import { inTreeRegistry, type Registry } from './plugins/registry.js';
import { Events } from './queue/events.js';
import { SchedulingQueue, type RegisteredHint } from './queue/scheduling-queue.js';
import { registerEventHandlers } from './event-handlers.js';

/** Upstream minFeasibleNodesToFind / minFeasibleNodesPercentageToFind. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
/** The rejector name of pods that extenders filtered out (upstream framework.ExtenderName). */
export const EXTENDER_PLUGIN_NAME = 'Extender';
/** Extender priorities range 0..10; scaled to the framework's 0..100. */
const MAX_EXTENDER_PRIORITY = 10;

/** How many feasible nodes to look for among numAllNodes (upstream numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(percentage: number | undefined, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage ?? 0;
  if (pct === 0) pct = Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
  const n = Math.trunc((numAllNodes * pct) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND);
}

// The default tie-breaking draws: one per tied node, so hundreds per pod when nodes are alike.
// Math.random hands each number back boxed on the heap; this generator (mulberry32, seeded from
// Math.random) is compiled into selectHost and allocates nothing. Uniform in [0, 1) likewise.
let tieSeed = Math.floor(Math.random() * 2 ** 32) | 0;
function tieRandom(): number {
  tieSeed = (tieSeed + 0x6d2b79f5) | 0;
  let t = Math.imul(tieSeed ^ (tieSeed >>> 15), 1 | tieSeed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * The highest total; ties broken uniformly at random (upstream selectHost's reservoir
 * sampling): `random` draws in [0, 1) (default: an internal generator).
 */
export function selectHost(nodes: NodeInfo[], totals: ArrayLike<number>, random?: () => number): string {
  let best = -1;
  let max = -Infinity;
  let ties = 0;
  for (let i = 0; i < nodes.length; i++) {
    const s = totals[i];
    if (s > max) {
      max = s;
      best = i;
      ties = 1;
    } else if (s === max) {
      ties++;
      if (Math.floor((random ? random() : tieRandom()) * ties) === 0) best = i;
    }
  }
  if (best < 0) throw new Error('empty priorityList');
  return nodes[best].name;
}

export interface SchedulerOptions {
  client: Client;
  informers: Informers;
  /** The events.k8s.io recorder of a profile (its schedulerName is the events' reportingController). */
  recorder: (schedulerName: string) => EventRecorder;
  log: Logger;
  config: SchedulerConfiguration;
  registry?: Registry;
  extenders?: Extender[];
  /** For tie-breaking (tests make it deterministic). */
  random?: () => number;
  now?: () => number;
}

interface ScheduleResult {
  suggestedHost: string;
  feasibleNodes: number;
}

const FIRST_ATTEMPT = { attempts: '1' } as const;

const nameOf = (pod: Pod) => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly profiles = new Map<string, Framework>();
  readonly snapshot = new Snapshot();
  readonly extenders: Extender[];
  readonly podInformer: SharedIndexInformer<Pod & KubeObject>;
  private readonly log: Logger;
  private readonly client: Client;
  private readonly config: SchedulerConfiguration;
  private readonly random: (() => number) | undefined;
  private readonly now: () => number;
  private nextStartNodeIndex = 0;
  /** When updateGauges last ran (performance.now()). */
  private gaugesAt = 0;
  private readonly bindings = new Set<Promise<void>>();
  /** Status writes of failed attempts (not awaited by the loop; awaited on shutdown). */
  private readonly statusWrites = new Set<Promise<void>>();
  /** The result="scheduled" label set per profile (one object, not one per pod). */
  private readonly scheduledLabels = new Map<string, ReturnType<typeof scheduledLabels>>();
  /** Pods gated at PreEnqueue whose condition was written (to write it once). */
  private readonly gatedWritten = new Set<string>();
  /** findNodesThatPassFilters' result buffer. */
  private feasibleBuffer: NodeInfo[] = [];

  constructor(private readonly opts: SchedulerOptions) {
    this.log = opts.log;
    this.client = opts.client;
    this.config = opts.config;
    this.random = opts.random;
    this.now = opts.now ?? Date.now;
    this.extenders = opts.extenders ?? [];
    this.cache = new SchedulerCache({ log: opts.log, now: this.now });
    const registry = opts.registry ?? inTreeRegistry();
    // Created before the plugins so this transform wins: managedFields are never read here and
    // are a large share of a pod's memory (upstream's scheduler trims them too). This very
    // function also has the informer's watches leave them out while decoding (managed-fields.ts).
    this.podInformer = opts.informers.for(resources.pods, { transform: dropManagedFields });
    // The queue is created after the profiles (it needs their QueueSort and hints); plugins only
    // reach the nominator and activate() through late-bound functions.
    let queue: SchedulingQueue | undefined;
    const nominatorProxy = {
      nominatedPodsForNode: (n: string) => queue!.nominator.nominatedPodsForNode(n),
      addNominatedPod: (...a: Parameters<SchedulingQueue['nominator']['addNominatedPod']>) => queue!.nominator.addNominatedPod(...a),
      deleteNominatedPodIfExists: (p: Pod) => queue!.nominator.deleteNominatedPodIfExists(p),
    };
    for (const profile of opts.config.profiles) {
      const fwk = new Framework(profile, registry, {
        client: opts.client,
        informers: opts.informers,
        recorder: opts.recorder(profile.schedulerName),
        log: opts.log.child({ profile: profile.schedulerName }),
        nominator: nominatorProxy,
        extenders: this.extenders,
        snapshot: () => this.snapshot,
        activate: (pods) => queue!.activate(pods),
        hasNominatedPods: () => queue!.nominator.size > 0,
      });
      this.profiles.set(profile.schedulerName, fwk);
    }
    const first = this.profiles.values().next().value!;
    const sortName = first.queueSortPlugin!.name;
    for (const f of this.profiles.values()) {
      if (f.queueSortPlugin!.name !== sortName) throw new Error(`profile ${f.profileName}: queueSort must be the same for all profiles (${sortName})`);
    }
    const hints = new Map<string, RegisteredHint[]>();
    for (const [name, f] of this.profiles) {
      const list: RegisteredHint[] = [];
      for (const [plugin, evs] of f.eventsToRegister()) for (const e of evs) list.push({ event: e.event, plugin, hint: e.hint });
      // Extenders have no queueing hints: a pod they rejected is retried on any event (as upstream).
      if (this.extenders.length) list.push({ event: { resource: '*', actionType: ActionType.All }, plugin: EXTENDER_PLUGIN_NAME });
      hints.set(name, list);
    }
    queue = new SchedulingQueue({
      less: (a, b) => first.queueSortLess(a, b),
      preEnqueue: (pod) => this.profileFor(pod)?.runPreEnqueuePlugins(pod) ?? null,
      hints,
      log: opts.log,
      now: this.now,
      podInitialBackoffMs: opts.config.podInitialBackoffSeconds * 1000,
      podMaxBackoffMs: opts.config.podMaxBackoffSeconds * 1000,
      onGated: (pod, s) => this.onGated(pod, s),
      isScheduled: (pod) => this.cache.hasPod(pod),
    });
    this.queue = queue;
    registerEventHandlers(this, opts.informers, [...hints.values()].flat());
  }

  profileFor(pod: Pod): Framework | undefined {
    return this.profiles.get(pod.spec?.schedulerName || 'default-scheduler');
  }

  /** Whether this scheduler schedules the pod (its schedulerName is one of the profiles). */
  responsibleFor(pod: Pod): boolean {
    return this.profiles.has(pod.spec?.schedulerName || 'default-scheduler');
  }

  /** Binding cycles still running. */
  get bindingsInFlight(): number {
    return this.bindings.size;
  }

  /**
   * Runs the scheduling loop until the signal aborts (informers must be started and synced by
   * the caller); then waits for the binding cycles in flight.
   */
  async run(signal: AbortSignal): Promise<void> {
    this.queue.run(signal);
    this.cache.run(signal);
    const gauges = setInterval(() => this.updateGauges(), 1000);
    gauges.unref?.();
    let lastYield = performance.now();
    try {
      while (!signal.aborted) {
        const q = this.queue.pop();
        if (!q) {
          // An idle queue shows in the gauges promptly, but not once per pod when pods trickle in.
          if (performance.now() - this.gaugesAt > 50) this.updateGauges();
          // No abort listener per wait: queue.run(signal) closes the queue on abort, which wakes us.
          await this.queue.waitForPod();
          lastYield = performance.now();
          continue;
        }
        await this.scheduleOne(q);
        // Informer events (bind confirmations, new pods) arrive as I/O: let them in regularly.
        if (performance.now() - lastYield > 5) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
    } finally {
      clearInterval(gauges);
      await Promise.allSettled([...this.bindings]);
      await Promise.allSettled([...this.statusWrites]);
    }
  }

  private updateGauges(): void {
    this.gaugesAt = performance.now();
    const c = this.queue.counts();
    pendingPods.set({ queue: 'active' }, c.activeQ);
    pendingPods.set({ queue: 'backoff' }, c.backoffQ);
    pendingPods.set({ queue: 'unschedulable' }, c.unschedulablePods);
    pendingPods.set({ queue: 'gated' }, c.gated);
    cacheSize.set({ type: 'nodes' }, this.cache.nodeCount);
    cacheSize.set({ type: 'pods' }, this.cache.podCount);
    cacheSize.set({ type: 'assumed_pods' }, this.cache.assumedPodCount);
    goroutines.set({ operation: 'binding' }, bindingCycles.inFlight);
  }

  // ---- one pod -------------------------------------------------------------------------------

  /** One scheduling cycle for a popped pod (upstream ScheduleOne). */
  async scheduleOne(q: QueuedPodInfo): Promise<void> {
    const pod = q.podInfo.pod;
    const uid = pod.metadata?.uid ?? '';
    const fwk = this.profileFor(pod);
    if (!fwk) {
      this.log.error({ pod: nameOf(pod), schedulerName: pod.spec?.schedulerName }, 'no profile for the pod');
      this.queue.done(uid);
      return;
    }
    // A pod being deleted, or already assumed (an update raced the cycle), is skipped.
    if (pod.metadata?.deletionTimestamp || this.cache.isAssumedPod(pod)) {
      this.queue.done(uid);
      return;
    }
    const start = performance.now();
    const state = new CycleState();
    let result: ScheduleResult;
    try {
      result = await this.schedulePod(fwk, state, pod);
    } catch (err) {
      let status: Status;
      let nominated: string | undefined = '';
      if (err instanceof NoNodesAvailableError) status = new Status(Code.UnschedulableAndUnresolvable, [err.message], '', err);
      else if (err instanceof FitError) {
        nominated = undefined;
        if (fwk.hasPostFilterPlugins()) {
          const pf = await fwk.runPostFilterPlugins(state, pod, err.diagnosis.nodeToStatus);
          err.diagnosis.postFilterMsg = pf.status.message();
          if (pf.status.code === Code.Error) this.log.error({ pod: nameOf(pod), status: pf.status.message() }, 'PostFilter failed');
          nominated = pf.result?.nominatedNodeName;
        }
        status = new Status(Code.Unschedulable, [], '', err);
      } else {
        this.log.error({ err, pod: nameOf(pod) }, 'error selecting node for pod');
        status = Status.error(err);
      }
      await this.handleSchedulingFailure(fwk, q, status, nominated, start);
      return;
    }

    // Assume: the cache counts the pod on its node now, before the bind round trip.
    const host = result.suggestedHost;
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName: host } };
    try {
      this.cache.assumePod(assumed);
    } catch (err) {
      await this.handleSchedulingFailure(fwk, q, Status.error(err), '', start);
      return;
    }
    this.queue.nominator.deleteNominatedPodIfExists(assumed);

    const reserve = fwk.runReservePluginsReserve(state, assumed, host);
    if (reserve) return this.failAfterAssume(fwk, q, state, assumed, host, reserve, start);
    const permit = fwk.runPermitPlugins(state, assumed, host);
    if (permit && permit.code !== Code.Wait) return this.failAfterAssume(fwk, q, state, assumed, host, permit, start);

    const binding = this.bindingCycle(fwk, state, q, assumed, host, start);
    this.bindings.add(binding);
    bindingCycles.inFlight++;
    void binding.finally(() => {
      this.bindings.delete(binding);
      bindingCycles.inFlight--;
    });
  }

  /** Reserve or Permit failed: undo the reservation and the assumption, then the failure path. */
  private async failAfterAssume(fwk: Framework, q: QueuedPodInfo, state: CycleState, assumed: Pod, host: string, s: Status, start: number): Promise<void> {
    fwk.runReservePluginsUnreserve(state, assumed, host);
    try {
      this.cache.forgetPod(assumed);
    } catch (err) {
      this.log.error({ err }, 'scheduler cache ForgetPod failed');
    }
    await this.handleSchedulingFailure(fwk, q, this.singleNodeStatus(q, host, s), '', start);
  }

  /** A rejection on the chosen node, as a FitError over that one node (upstream does the same). */
  private singleNodeStatus(q: QueuedPodInfo, host: string, s: Status): Status {
    if (!s.isRejected()) return s;
    const d = newDiagnosis();
    d.nodeToStatus.set(host, s);
    if (s.plugin) d.unschedulablePlugins.add(s.plugin);
    return new Status(s.code, s.reasons, s.plugin, new FitError(q.podInfo.pod, 1, d));
  }

  /** Finds a node for the pod (upstream schedulePod). Throws FitError when none fits. */
  async schedulePod(fwk: Framework, state: CycleState, pod: Pod): Promise<ScheduleResult> {
    this.cache.updateSnapshot(this.snapshot);
    if (this.snapshot.numNodes() === 0) throw new NoNodesAvailableError();
    const { feasible, diagnosis } = await this.findNodesThatFitPod(fwk, state, pod);
    if (feasible.length === 0) throw new FitError(pod, this.snapshot.numNodes(), diagnosis);
    if (feasible.length === 1) return { suggestedHost: feasible[0].name, feasibleNodes: 1 };
    // Without extenders nothing here awaits: the plugins' part runs synchronously.
    const totals = this.extenders.length
      ? await this.prioritizeNodes(fwk, state, pod, feasible)
      : fwk.hasScorePlugins()
        ? this.scoreNodes(fwk, state, pod, feasible)
        : new Float64Array(feasible.length).fill(1);
    return { suggestedHost: selectHost(feasible, totals, this.random), feasibleNodes: feasible.length };
  }

  private async findNodesThatFitPod(fwk: Framework, state: CycleState, pod: Pod): Promise<{ feasible: NodeInfo[]; diagnosis: Diagnosis }> {
    const diagnosis = newDiagnosis();
    const allNodes = this.snapshot.list();
    const pre = fwk.runPreFilterPlugins(state, pod, allNodes);
    if (pre.status) {
      const s = pre.status;
      if (!s.isRejected()) throw s.error ?? new Error(s.message());
      // Every node gets the same status, so preemption sees why (upstream does the same).
      diagnosis.nodeToStatus.absentNodesStatus = s;
      diagnosis.preFilterMsg = s.message();
      addPluginStatus(diagnosis, s);
      return { feasible: [], diagnosis };
    }
    // A nominated node (from an earlier preemption) is likely the only fit: try it first.
    const nnn = pod.status?.nominatedNodeName;
    if (nnn) {
      const ni = this.snapshot.get(nnn);
      if (ni) {
        const s = fwk.runFilterPluginsWithNominatedPods(state, pod, ni);
        if (!s) {
          const viaExtenders = await this.findNodesThatPassExtenders(pod, [ni], diagnosis);
          if (viaExtenders.length) return { feasible: viaExtenders, diagnosis };
        }
      }
    }
    let nodes = allNodes;
    if (pre.result?.nodeNames) {
      nodes = [];
      for (const name of pre.result.nodeNames) {
        const ni = this.snapshot.get(name);
        if (ni) nodes.push(ni);
      }
      diagnosis.nodeToStatus.absentNodesStatus = new Status(Code.UnschedulableAndUnresolvable, [`node(s) didn't satisfy plugin(s) [${[...pre.narrowedBy].sort().join(' ')}]`]);
    }
    const feasible = this.findNodesThatPassFilters(fwk, state, pod, diagnosis, nodes, allNodes.length);
    if (this.extenders.length === 0) return { feasible, diagnosis };
    const afterExtenders = await this.findNodesThatPassExtenders(pod, feasible, diagnosis);
    if (afterExtenders.length !== feasible.length) diagnosis.unschedulablePlugins.add(EXTENDER_PLUGIN_NAME);
    return { feasible: afterExtenders, diagnosis };
  }

  /**
   * Filter over a window that starts where the last cycle stopped, ending as soon as enough
   * feasible nodes are found (upstream findNodesThatPassFilters, without the goroutines).
   */
  private findNodesThatPassFilters(fwk: Framework, state: CycleState, pod: Pod, diagnosis: Diagnosis, nodes: NodeInfo[], numAllNodes: number): NodeInfo[] {
    const n = nodes.length;
    const toFind = numFeasibleNodesToFind(fwk.percentageOfNodesToScore ?? this.config.percentageOfNodesToScore, n);
    if (n === 0) return [];
    // One buffer serves every cycle (an array of hundreds of nodes per pod otherwise): when it
    // fills up, as it does unless nodes are short, it is the result, valid until the next cycle
    // (nothing keeps the feasible list beyond its cycle); else its first `found` are copied out.
    const want = Math.min(toFind, n);
    if (this.feasibleBuffer.length !== want) this.feasibleBuffer = new Array<NodeInfo>(want);
    const feasible = this.feasibleBuffer;
    let found = 0;
    const startAt = this.nextStartNodeIndex % n;
    let processed = 0;
    if (!fwk.hasFilterPlugins()) {
      for (let i = 0; i < toFind; i++) feasible[found++] = nodes[(startAt + i) % n];
      processed = toFind;
    } else {
      // Without nominated pods anywhere (the usual case) the per-node nominator lookup is skipped.
      const withNominated = fwk.mayHaveNominatedPods();
      // Plugins return one shared status for a recurring rejection: its plugin is recorded once.
      let lastRejection: Status | undefined;
      for (let i = 0; i < n; i++) {
        const ni = nodes[(startAt + i) % n];
        processed++;
        const s = withNominated ? fwk.runFilterPluginsWithNominatedPods(state, pod, ni) : fwk.runFilterPlugins(state, pod, ni);
        if (!s) {
          feasible[found++] = ni;
          if (found >= toFind) break;
        } else if (s.code === Code.Error) {
          throw s.error ?? new Error(s.message());
        } else {
          diagnosis.nodeToStatus.set(ni.name, s);
          if (s !== lastRejection) addPluginStatus(diagnosis, s);
          lastRejection = s;
        }
      }
    }
    this.nextStartNodeIndex = numAllNodes > 0 ? (this.nextStartNodeIndex + processed) % numAllNodes : 0;
    return found === want ? feasible : feasible.slice(0, found);
  }

  /** Extenders filter in turn, each seeing what the previous left (upstream findNodesThatPassExtenders). */
  private async findNodesThatPassExtenders(pod: Pod, nodes: NodeInfo[], diagnosis: Diagnosis): Promise<NodeInfo[]> {
    let feasible = nodes;
    for (const ext of this.extenders) {
      if (feasible.length === 0) break;
      if (!ext.isFilter() || !ext.isInterested(pod)) continue;
      let r: Awaited<ReturnType<Extender['filter']>>;
      try {
        r = await ext.filter(pod, feasible);
      } catch (err) {
        if (ext.isIgnorable()) {
          this.log.info({ extender: ext.name(), err }, 'skipping extender as it returned error and has ignorable flag set');
          continue;
        }
        throw err;
      }
      for (const [name, msg] of r.failedAndUnresolvable) diagnosis.nodeToStatus.set(name, new Status(Code.UnschedulableAndUnresolvable, [msg]));
      for (const [name, msg] of r.failedNodes) if (!r.failedAndUnresolvable.has(name)) diagnosis.nodeToStatus.set(name, new Status(Code.Unschedulable, [msg]));
      feasible = r.nodes;
    }
    return feasible;
  }

  /** PreScore, Score (weighted, normalized) and extenders' priorities (upstream prioritizeNodes). */
  private async prioritizeNodes(fwk: Framework, state: CycleState, pod: Pod, nodes: NodeInfo[]): Promise<ArrayLike<number>> {
    const interested = this.extenders.filter((e) => e.isPrioritizer() && e.isInterested(pod));
    if (!interested.length && !fwk.hasScorePlugins()) return new Float64Array(nodes.length).fill(1);
    const totals = this.scoreNodes(fwk, state, pod, nodes);
    if (interested.length) {
      const index = new Map(nodes.map((n, i) => [n.name, i]));
      const results = await Promise.allSettled(interested.map((e) => e.prioritize(pod, nodes)));
      for (const res of results) {
        if (res.status === 'rejected') continue; // upstream ignores prioritize errors
        for (const s of res.value.scores) {
          const i = index.get(s.name);
          if (i !== undefined) totals[i] += s.score * res.value.weight * (MAX_NODE_SCORE / MAX_EXTENDER_PRIORITY);
        }
      }
    }
    return totals;
  }

  /** PreScore and Score (weighted, normalized): the plugins' part of prioritizeNodes, synchronous. */
  private scoreNodes(fwk: Framework, state: CycleState, pod: Pod, nodes: NodeInfo[]): Float64Array {
    const pre = fwk.runPreScorePlugins(state, pod, nodes);
    if (pre) throw pre.error ?? new Error(pre.message());
    const r = fwk.runScorePlugins(state, pod, nodes);
    if (r.status) throw r.status.error ?? new Error(r.status.message());
    return r.totals!;
  }

  // ---- binding -------------------------------------------------------------------------------

  private async bindingCycle(fwk: Framework, state: CycleState, q: QueuedPodInfo, assumed: Pod, host: string, start: number): Promise<void> {
    const uid = assumed.metadata?.uid ?? '';
    let status: Status | null = null;
    try {
      // (Awaited only when there is something to wait for: most pods pass Permit and have no PreBind.)
      if (fwk.getWaitingPod(uid)) status = await fwk.waitOnPermit(assumed);
      if (status) status = this.singleNodeStatus(q, host, status);
      if (!status && fwk.preBindPlugins.length) status = await fwk.runPreBindPlugins(state, assumed, host);
      if (!status) status = await this.bind(fwk, state, assumed, host);
    } catch (err) {
      status = Status.error(err);
    }
    if (status) {
      await this.handleBindingCycleError(fwk, state, q, assumed, host, status, start);
      return;
    }
    const seconds = (performance.now() - start) / 1000;
    let labels = this.scheduledLabels.get(fwk.profileName);
    if (!labels) this.scheduledLabels.set(fwk.profileName, (labels = scheduledLabels(fwk.profileName)));
    scheduleAttempts.inc(labels);
    schedulingAttemptDuration.observe(labels, seconds);
    podSchedulingSLIDuration.observe(q.attempts === 1 ? FIRST_ATTEMPT : { attempts: String(q.attempts) }, (this.now() - q.initialAttemptTimestamp) / 1000);
    fwk.runPostBindPlugins(state, assumed, host);
    this.queue.done(uid);
  }

  /** An extender that binds this pod, else the Bind plugins (upstream sched.bind). */
  private async bind(fwk: Framework, state: CycleState, assumed: Pod, host: string): Promise<Status | null> {
    let status: Status | null;
    try {
      const ext = this.extenders.length ? this.extenders.find((e) => e.isBinder() && e.isInterested(assumed)) : undefined;
      if (ext) {
        await ext.bind(assumed, host);
        status = null;
      } else {
        status = await fwk.runBindPlugins(state, assumed, host);
        if (status?.code === Code.Skip) status = Status.error(new Error(`no bind plugin bound pod ${nameOf(assumed)}`));
      }
    } catch (err) {
      status = Status.error(err);
    }
    this.cache.finishBinding(assumed);
    if (!status) fwk.recorder.eventf(podReference(assumed), undefined, 'Normal', 'Scheduled', 'Binding', 'Successfully assigned %v/%v to %v', assumed.metadata?.namespace ?? '', assumed.metadata?.name ?? '', host);
    return status;
  }

  private async handleBindingCycleError(fwk: Framework, state: CycleState, q: QueuedPodInfo, assumed: Pod, host: string, status: Status, start: number): Promise<void> {
    fwk.runReservePluginsUnreserve(state, assumed, host);
    let forgot = false;
    try {
      this.cache.forgetPod(assumed);
      forgot = true;
    } catch (err) {
      this.log.error({ err }, 'scheduler cache ForgetPod failed');
    }
    await this.handleSchedulingFailure(fwk, q, status, '', start);
    // The room the pod held is free again: other parked pods may fit now (not this one).
    const uid = assumed.metadata?.uid;
    if (forgot) this.queue.moveAllToActiveOrBackoffQueue(Events.AssignedPodDelete, assumed, undefined, (p) => p.metadata?.uid !== uid);
  }

  // ---- failures ------------------------------------------------------------------------------

  /**
   * The failure handler (upstream handleSchedulingFailure): the pod goes back to the queue (with
   * the plugins that rejected it, from the informer's latest copy) unless it was deleted or bound
   * meanwhile; a FailedScheduling event and PodScheduled=False tell the user why.
   * `nominatedNodeName`: undefined leaves the nomination as the pod's status has it.
   */
  async handleSchedulingFailure(fwk: Framework, q: QueuedPodInfo, status: Status, nominatedNodeName: string | undefined, start: number): Promise<void> {
    const pod = q.podInfo.pod;
    const uid = pod.metadata?.uid ?? '';
    const reason = status.isRejected() ? 'Unschedulable' : 'SchedulerError';
    const result = reason === 'Unschedulable' ? 'unschedulable' : 'error';
    scheduleAttempts.inc({ result, profile: fwk.profileName });
    schedulingAttemptDuration.observe({ result, profile: fwk.profileName }, (performance.now() - start) / 1000);

    const err = status.error;
    let message = status.message();
    if (err instanceof FitError) {
      q.unschedulablePlugins = new Set(err.diagnosis.unschedulablePlugins);
      q.pendingPlugins = new Set(err.diagnosis.pendingPlugins);
      message = err.text();
      this.log.debug({ pod: nameOf(pod), err: message }, 'unable to schedule pod; no fit; waiting');
    } else if (err instanceof NoNodesAvailableError) {
      message = err.message;
      this.log.debug({ pod: nameOf(pod) }, 'unable to schedule pod; no nodes are registered to the cluster; waiting');
    } else {
      this.log.info({ err: message, pod: nameOf(pod) }, 'error scheduling pod; retrying');
    }

    const cached = this.podInformer.getStore().getByKey(nameOf(pod)) as Pod | undefined;
    if (!cached || cached.metadata?.uid !== uid) {
      this.queue.done(uid);
    } else if (cached.spec?.nodeName) {
      this.queue.done(uid);
    } else {
      q.podInfo = newPodInfo(cached);
      this.queue.addUnschedulableIfNotPresent(q);
    }
    if (!cached || cached.metadata?.uid !== uid || cached.spec?.nodeName) return;
    if (nominatedNodeName !== undefined) this.queue.nominator.addNominatedPod(q.podInfo, nominatedNodeName);
    const current = cached;

    const msg = truncateMessage(message);
    fwk.recorder.eventf(podReference(pod), undefined, 'Warning', 'FailedScheduling', 'Scheduling', '%s', msg);
    // The write is not awaited: the loop goes on to the next pod while it is on its way.
    const write = updatePodCondition(this.client, current, { type: 'PodScheduled', status: 'False', reason, message: msg }, nominatedNodeName).then(
      () => undefined,
      (e: unknown) => this.log.info({ err: e, pod: nameOf(pod) }, 'error updating pod status'),
    );
    this.statusWrites.add(write);
    void write.finally(() => this.statusWrites.delete(write));
  }

  /** PreEnqueue gated the pod: PodScheduled=False/SchedulingGated, once (upstream: the API server writes it at creation). */
  private onGated(pod: Pod, s: Status): void {
    if (s.plugin !== 'SchedulingGates') return;
    const uid = pod.metadata?.uid ?? '';
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cond?.reason === 'SchedulingGated' || this.gatedWritten.has(uid)) return;
    this.gatedWritten.add(uid);
    void updatePodCondition(this.client, pod, { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' })
      .catch((err: unknown) => this.log.debug({ err, pod: nameOf(pod) }, 'cannot write the SchedulingGated condition'))
      .finally(() => this.gatedWritten.delete(uid));
  }
}
