// The framework runtime of one profile (upstream framework/runtime/framework.go): builds the
// profile's plugins from the registry with their pluginConfig args, orders them per extension
// point (multiPoint expansion as upstream), and runs each extension point with upstream's rules.
// It is also the Handle plugins receive. It knows extension points, never particular plugins.
//
// Hot path: Filter runs once per node per pod, Score once per feasible node per plugin, so these
// loops allocate nothing per node beyond what plugins return (score lists are pooled).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Client } from '../../client/rest/client.js';
import type { EventRecorder } from '../../client/events/index.js';
import type { Informers } from '../../controllers/context.js';
import type { Profile, ExtensionPoint } from '../config/types.js';
import { EXTENSION_POINTS } from '../config/types.js';
import { CycleState } from './cycle-state.js';
import { NodeInfo } from './node-info.js';
import { podUsage, type PodInfo } from './pod-info.js';
import { Code, Status, type MaybeStatus } from './status.js';
import { WaitingPodImpl } from './waiting-pods.js';
import {
  MAX_NODE_SCORE,
  MIN_NODE_SCORE,
  type BindPlugin,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type Extender,
  type FilterPlugin,
  type Handle,
  type NodeInfoLister,
  type NodeScore,
  type NodeToStatus,
  type PermitPlugin,
  type Plugin,
  type PluginFactory,
  type PodNominator,
  type PostBindPlugin,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreBindPlugin,
  type PreEnqueuePlugin,
  type PreFilterExtensions,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type QueuedPodInfo,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
  type WaitingPod,
} from './types.js';

/** Upstream's cap on how long a Permit plugin may hold a pod. */
export const MAX_PERMIT_TIMEOUT_MS = 15 * 60 * 1000;

/** What every profile shares (the scheduler owns these). */
export interface FrameworkDeps {
  client: Client;
  informers: Informers;
  recorder: EventRecorder;
  log: Logger;
  nominator: PodNominator;
  extenders: Extender[];
  /** The snapshot of the current cycle. */
  snapshot: () => NodeInfoLister;
  /** Moves pods back to activeQ (the scheduling queue). */
  activate: (pods: Pod[]) => void;
  /** False when no pod is nominated anywhere: Filter then skips the per-node nominator lookup. */
  hasNominatedPods?: () => boolean;
}

/** Which method marks a plugin as implementing an extension point. */
const POINT_METHOD: Record<ExtensionPoint, string> = {
  preEnqueue: 'preEnqueue',
  queueSort: 'less',
  preFilter: 'preFilter',
  filter: 'filter',
  postFilter: 'postFilter',
  preScore: 'preScore',
  score: 'score',
  reserve: 'reserve',
  permit: 'permit',
  preBind: 'preBind',
  bind: 'bind',
  postBind: 'postBind',
};

const implementsPoint = (p: Plugin, point: ExtensionPoint) => typeof (p as unknown as Record<string, unknown>)[POINT_METHOD[point]] === 'function';

export interface PreFilterOutcome {
  /** undefined = all nodes. */
  result?: PreFilterResult;
  status?: Status;
  /** Plugins whose PreFilterResult narrowed the nodes. */
  narrowedBy: string[];
}

export interface ScoredNodes {
  /** Weighted totals, parallel to the nodes passed in. */
  totals: Float64Array;
}

const EMPTY_PODS: PodInfo[] = [];

/** What pluginsFor works out for a state's skip set (kept in CycleState.filtersMemo). */
interface RunningPlugins {
  owner: object;
  skipSize: number;
  filters: readonly FilterPlugin[];
  /** The AddPod/RemovePod extensions of the PreFilter plugins not skipped, in PreFilter order. */
  extensions: readonly { name: string; ext: PreFilterExtensions }[];
}

const scoreFailed = (pl: ScorePlugin, s: Status) => new Status(Code.Error, [`running Score plugin "${pl.name}": ${s.message()}`], pl.name, s.error);

const invalidScore = (plugin: string, sc: number) =>
  new Status(Code.Error, [`plugin "${plugin}" returns an invalid score ${sc}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`], plugin);

export class Framework implements Handle {
  readonly profileName: string;
  readonly percentageOfNodesToScore: number | undefined;
  readonly client: Client;
  readonly informers: Informers;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  readonly nominator: PodNominator;
  readonly extenders: Extender[];

  /** Every instantiated plugin by name. */
  readonly plugins = new Map<string, Plugin>();
  preEnqueuePlugins: PreEnqueuePlugin[] = [];
  queueSortPlugin: QueueSortPlugin | undefined;
  preFilterPlugins: PreFilterPlugin[] = [];
  filterPlugins: FilterPlugin[] = [];
  postFilterPlugins: PostFilterPlugin[] = [];
  preScorePlugins: PreScorePlugin[] = [];
  scorePlugins: ScorePlugin[] = [];
  /** Weight per score plugin, parallel to scorePlugins. */
  scoreWeights: number[] = [];
  reservePlugins: ReservePlugin[] = [];
  permitPlugins: PermitPlugin[] = [];
  preBindPlugins: PreBindPlugin[] = [];
  bindPlugins: BindPlugin[] = [];
  postBindPlugins: PostBindPlugin[] = [];

  private readonly waitingPods = new Map<string, WaitingPodImpl>();
  /** Scratch for the plugins' raw scores. */
  private rawScores = new Float64Array(0);
  /** workOutPlugins' last answer and the skip set it was for. */
  private lastWorkedOut: { skipped: string[]; memo: RunningPlugins } | undefined;
  /** runScorePlugins' totals (a view of its first n entries is returned). */
  private totals = new Float64Array(0);
  /** Reused NodeScore objects per score plugin (the lists handed to NormalizeScore). */
  private readonly scorePools: NodeScore[][] = [];
  private readonly deps: FrameworkDeps;
  private readonly hasNominatedPods: (() => boolean) | undefined;
  /**
   * runFilterPluginsWithNominatedPods' copies of the state and the node with the nominated pods
   * added: reused, as each lives only for that call (nothing keeps a reference to them).
   */
  private readonly nominatedState = new CycleState();
  private readonly nominatedNode = new NodeInfo();

  constructor(profile: Profile, registry: ReadonlyMap<string, PluginFactory>, deps: FrameworkDeps) {
    this.deps = deps;
    this.profileName = profile.schedulerName;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    this.client = deps.client;
    this.informers = deps.informers;
    this.recorder = deps.recorder;
    this.log = deps.log;
    this.nominator = deps.nominator;
    this.extenders = deps.extenders;
    this.hasNominatedPods = deps.hasNominatedPods;

    const args = new Map<string, Record<string, unknown> | undefined>();
    for (const pc of profile.pluginConfig) args.set(pc.name, pc.args);
    // Instantiate every plugin enabled anywhere (upstream: once per profile, shared by points).
    const names = new Set<string>();
    for (const key of [...EXTENSION_POINTS, 'multiPoint'] as const) for (const p of profile.plugins[key].enabled) names.add(p.name);
    for (const name of names) {
      const factory = registry.get(name);
      if (!factory) throw new Error(`plugin "${name}" does not exist`);
      const plugin = factory(args.get(name), this);
      this.plugins.set(name, plugin);
    }
    for (const point of EXTENSION_POINTS) this.setPoint(point, this.expand(profile, point));
    if (!this.queueSortPlugin) throw new Error(`profile ${profile.schedulerName}: no queueSort plugin enabled`);
    if (!this.bindPlugins.length) throw new Error(`profile ${profile.schedulerName}: no bind plugin enabled`);
  }

  /**
   * The ordered plugins of one extension point with their weights (upstream
   * expandMultiPointPlugins): plugins re-configured at the point (in its order), then multiPoint
   * plugins implementing the point (minus those disabled there), then the point's other plugins.
   */
  private expand(profile: Profile, point: ExtensionPoint): { plugin: Plugin; weight: number }[] {
    const set = profile.plugins[point];
    const disabled = new Set(set.disabled.map((p) => p.name));
    const enabled = new Map(set.enabled.map((p) => [p.name, p.weight]));
    const out: { plugin: Plugin; weight: number }[] = [];
    const add = (name: string, weight: number | undefined) => {
      const plugin = this.plugins.get(name)!;
      if (!implementsPoint(plugin, point)) throw new Error(`plugin "${name}" does not extend ${point} plugin`);
      out.push({ plugin, weight: weight || 1 });
    };
    if (disabled.has('*')) {
      for (const [name, w] of enabled) add(name, w);
      return out;
    }
    const multi: { name: string; weight?: number }[] = [];
    const overrides = new Set<string>();
    for (const ep of profile.plugins.multiPoint.enabled) {
      const plugin = this.plugins.get(ep.name)!;
      if (!implementsPoint(plugin, point) || disabled.has(ep.name)) continue;
      if (enabled.has(ep.name)) {
        overrides.add(ep.name);
        continue;
      }
      if (multi.some((m) => m.name === ep.name)) throw new Error(`plugin "${ep.name}" already registered as ${point} plugin`);
      multi.push(ep);
    }
    for (const [name, w] of enabled) if (overrides.has(name)) add(name, w);
    for (const m of multi) add(m.name, m.weight);
    for (const [name, w] of enabled) if (!overrides.has(name)) add(name, w);
    return out;
  }

  private setPoint(point: ExtensionPoint, list: { plugin: Plugin; weight: number }[]): void {
    const ps = list.map((l) => l.plugin);
    switch (point) {
      case 'preEnqueue':
        this.preEnqueuePlugins = ps as PreEnqueuePlugin[];
        break;
      case 'queueSort':
        if (ps.length > 1) throw new Error(`profile ${this.profileName}: only one queueSort plugin may be enabled, got ${ps.map((p) => p.name).join(', ')}`);
        this.queueSortPlugin = ps[0] as QueueSortPlugin | undefined;
        break;
      case 'preFilter':
        this.preFilterPlugins = ps as PreFilterPlugin[];
        break;
      case 'filter':
        this.filterPlugins = ps as FilterPlugin[];
        break;
      case 'postFilter':
        this.postFilterPlugins = ps as PostFilterPlugin[];
        break;
      case 'preScore':
        this.preScorePlugins = ps as PreScorePlugin[];
        break;
      case 'score':
        this.scorePlugins = ps as ScorePlugin[];
        this.scoreWeights = list.map((l) => l.weight);
        for (let i = 0; i < ps.length; i++) this.scorePools.push([]);
        break;
      case 'reserve':
        this.reservePlugins = ps as ReservePlugin[];
        break;
      case 'permit':
        this.permitPlugins = ps as PermitPlugin[];
        break;
      case 'preBind':
        this.preBindPlugins = ps as PreBindPlugin[];
        break;
      case 'bind':
        this.bindPlugins = ps as BindPlugin[];
        break;
      case 'postBind':
        this.postBindPlugins = ps as PostBindPlugin[];
        break;
    }
  }

  // ---- Handle ----------------------------------------------------------------------------

  snapshotSharedLister(): NodeInfoLister {
    return this.deps.snapshot();
  }

  activate(pods: Pod[]): void {
    this.deps.activate(pods);
  }

  getWaitingPod(uid: string): WaitingPod | undefined {
    return this.waitingPods.get(uid);
  }

  /** Rejects a pod waiting at Permit (it was deleted, or preemption took its place). */
  rejectWaitingPod(uid: string): boolean {
    const wp = this.waitingPods.get(uid);
    if (!wp) return false;
    for (const p of wp.pendingPlugins()) {
      wp.reject(p, 'removed');
      break;
    }
    return true;
  }

  // ---- queueing ----------------------------------------------------------------------------

  queueSortLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    return this.queueSortPlugin!.less(a, b);
  }

  /** The first PreEnqueue rejection, or null when the pod may enter activeQ. */
  runPreEnqueuePlugins(pod: Pod): Status | null {
    for (const pl of this.preEnqueuePlugins) {
      let s: MaybeStatus;
      try {
        s = pl.preEnqueue(pod);
      } catch (err) {
        s = Status.error(err);
      }
      if (s && s.code !== Code.Success) return s.withPlugin(pl.name);
    }
    return null;
  }

  /** The cluster events each plugin wants to hear about, by plugin name. */
  eventsToRegister(): Map<string, ClusterEventWithHint[]> {
    const out = new Map<string, ClusterEventWithHint[]>();
    for (const [name, p] of this.plugins) {
      const ee = p as Partial<EnqueueExtensions>;
      if (typeof ee.eventsToRegister === 'function') out.set(name, ee.eventsToRegister());
    }
    return out;
  }

  // ---- filtering ---------------------------------------------------------------------------

  hasFilterPlugins(): boolean {
    return this.filterPlugins.length > 0;
  }

  hasPostFilterPlugins(): boolean {
    return this.postFilterPlugins.length > 0;
  }

  hasScorePlugins(): boolean {
    return this.scorePlugins.length > 0;
  }

  /**
   * PreFilter (upstream RunPreFilterPlugins): a Skip marks the plugin's Filter as not needed; a
   * rejection ends the pass; PreFilterResults are intersected, and an empty intersection is
   * UnschedulableAndUnresolvable.
   */
  runPreFilterPlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): PreFilterOutcome {
    let result: PreFilterResult | undefined;
    const narrowedBy: string[] = [];
    state.skipFilterPlugins.clear();
    state.filtersMemo = undefined;
    for (const pl of this.preFilterPlugins) {
      let r: ReturnType<PreFilterPlugin['preFilter']>;
      try {
        r = pl.preFilter(state, pod, nodes);
      } catch (err) {
        r = Status.error(err);
      }
      let s: MaybeStatus;
      let res: PreFilterResult | undefined;
      if (r instanceof Status || !r) s = r;
      else {
        s = r.status;
        res = r.result;
      }
      if (s && s.code === Code.Skip) {
        state.skipFilterPlugins.add(pl.name);
        continue;
      }
      if (s && s.code !== Code.Success) {
        s.withPlugin(pl.name);
        if (s.isRejected()) return { status: s, narrowedBy };
        return { status: new Status(Code.Error, [`running PreFilter plugin "${pl.name}": ${s.message()}`], pl.name, s.error), narrowedBy };
      }
      if (res?.nodeNames) {
        narrowedBy.push(pl.name);
        if (!result?.nodeNames) result = { nodeNames: new Set(res.nodeNames) };
        else for (const n of result.nodeNames) if (!res.nodeNames.has(n)) result.nodeNames.delete(n);
        if (result.nodeNames!.size === 0) {
          const msg = narrowedBy.length === 1 ? `node(s) didn't satisfy plugin ${narrowedBy[0]}` : `node(s) didn't satisfy plugin(s) [${narrowedBy.join(' ')}] simultaneously`;
          return { result, status: new Status(Code.UnschedulableAndUnresolvable, [msg]), narrowedBy };
        }
      }
    }
    return { result, narrowedBy };
  }

  /**
   * The Filter plugins, and the PreFilter plugins with AddPod/RemovePod extensions, that run for
   * this state (PreFilter did not Skip them), worked out once per cycle rather than once per
   * node: Filter runs for hundreds of nodes per pod, and preemption copies the state thousands
   * of times (the copies carry the memo).
   */
  private pluginsFor(state: CycleState): RunningPlugins {
    const memo = state.filtersMemo as RunningPlugins | undefined;
    if (memo && memo.owner === this && memo.skipSize === state.skipFilterPlugins.size) return memo;
    return this.workOutPlugins(state);
  }

  /** pluginsFor's miss, apart: its closure over the skip set would otherwise cost a context
   *  allocation on every call, hits included (once per node filtered). */
  private workOutPlugins(state: CycleState): RunningPlugins {
    const skip = state.skipFilterPlugins;
    // Pods alike skip alike: the last answer serves while the skip set is the same.
    const last = this.lastWorkedOut;
    if (last && last.skipped.length === skip.size) {
      let same = true;
      for (let i = 0; i < last.skipped.length && same; i++) same = skip.has(last.skipped[i]!);
      if (same) {
        state.filtersMemo = last.memo;
        return last.memo;
      }
    }
    const running = (pl: Plugin) => !skip.has(pl.name);
    const extensions: { name: string; ext: PreFilterExtensions }[] = [];
    for (const pl of this.preFilterPlugins) {
      const ext = running(pl) ? pl.preFilterExtensions?.() : undefined;
      if (ext) extensions.push({ name: pl.name, ext });
    }
    const m: RunningPlugins = { owner: this, skipSize: skip.size, filters: skip.size ? this.filterPlugins.filter(running) : this.filterPlugins, extensions };
    state.filtersMemo = m;
    this.lastWorkedOut = { skipped: [...skip], memo: m };
    return m;
  }

  private filtersFor(state: CycleState): readonly FilterPlugin[] {
    return this.pluginsFor(state).filters;
  }

  /** Filter: the first plugin that does not pass decides (upstream RunFilterPlugins). */
  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | null {
    const plugins = this.filtersFor(state);
    for (let i = 0; i < plugins.length; i++) {
      const pl = plugins[i];
      let s: MaybeStatus;
      try {
        s = pl.filter(state, pod, nodeInfo);
      } catch (err) {
        s = Status.error(err);
      }
      if (s && s.code !== Code.Success) {
        if (!s.isRejected()) return new Status(Code.Error, [`running "${pl.name}" filter plugin: ${s.message()}`], pl.name, s.error);
        if (s.plugin !== pl.name) {
          if (Object.isFrozen(s)) return new Status(s.code, [...s.reasons], pl.name, s.error);
          s.plugin = pl.name;
        }
        return s;
      }
    }
    return null;
  }

  /**
   * Filter with the pods nominated to the node (priority ≥ the pod's) counted as if running, then
   * (only if they changed anything and the first pass succeeded) without them: the pod must fit
   * both ways (upstream RunFilterPluginsWithNominatedPods).
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | null {
    if (!this.mayHaveNominatedPods()) return this.runFilterPlugins(state, pod, nodeInfo);
    const nominated = nodeInfo.node ? this.nominator.nominatedPodsForNode(nodeInfo.name) : EMPTY_PODS;
    if (nominated.length === 0) return this.runFilterPlugins(state, pod, nodeInfo);
    const prio = pod.spec?.priority ?? 0;
    const uid = pod.metadata?.uid ?? '';
    let stateOut: CycleState | undefined;
    let nodeOut: NodeInfo | undefined;
    for (const pi of nominated) {
      const u = podUsage(pi);
      if (u.priority < prio || u.uid === uid) continue;
      if (!stateOut) {
        // The state is copied for the AddPod extensions to change; without any, the filters see
        // the same state either way.
        stateOut = this.pluginsFor(state).extensions.length ? state.cloneInto(this.nominatedState) : state;
        nodeOut = this.nominatedNode;
        nodeOut.assignFrom(nodeInfo);
      }
      nodeOut!.addPodInfo(pi);
      const s = this.runPreFilterExtensionAddPod(stateOut, pod, pi, nodeOut!);
      if (s && s.code !== Code.Success) return s.code === Code.Error ? s : new Status(Code.Error, [s.message()], s.plugin);
    }
    if (!stateOut) return this.runFilterPlugins(state, pod, nodeInfo);
    const first = this.runFilterPlugins(stateOut, pod, nodeOut!);
    if (first) return first;
    return this.runFilterPlugins(state, pod, nodeInfo);
  }

  /** False when no pod is nominated anywhere, so Filter needs no nominated-pods pass (checked once per cycle). */
  mayHaveNominatedPods(): boolean {
    return !this.hasNominatedPods || this.hasNominatedPods();
  }

  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): Status | null {
    return this.runPreFilterExtension('addPod', state, podToSchedule, podInfoToAdd, nodeInfo);
  }

  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): Status | null {
    return this.runPreFilterExtension('removePod', state, podToSchedule, podInfoToRemove, nodeInfo);
  }

  /** AddPod/RemovePod of every PreFilter plugin that ran for this pod; the first failure is an Error naming it. */
  private runPreFilterExtension(op: 'addPod' | 'removePod', state: CycleState, podToSchedule: Pod, podInfo: PodInfo, nodeInfo: NodeInfo): Status | null {
    const extensions = this.pluginsFor(state).extensions;
    for (let i = 0; i < extensions.length; i++) {
      const { name, ext } = extensions[i]!;
      let s: MaybeStatus;
      try {
        s = ext[op](state, podToSchedule, podInfo, nodeInfo);
      } catch (err) {
        s = Status.error(err);
      }
      if (s && s.code !== Code.Success) return new Status(Code.Error, [`running ${op === 'addPod' ? 'AddPod' : 'RemovePod'} on PreFilter plugin "${name}": ${s.message()}`], name, s.error);
    }
    return null;
  }

  /**
   * PostFilter (upstream RunPostFilterPlugins): the first Success or UnschedulableAndUnresolvable
   * ends it; otherwise the reasons of every plugin are joined and the last non-empty result kept.
   */
  async runPostFilterPlugins(state: CycleState, pod: Pod, statuses: NodeToStatus): Promise<{ result?: PostFilterResult; status: Status }> {
    let result: PostFilterResult | undefined;
    const reasons: string[] = [];
    let rejector = '';
    for (const pl of this.postFilterPlugins) {
      let r: { result?: PostFilterResult; status: MaybeStatus };
      try {
        r = await pl.postFilter(state, pod, statuses);
      } catch (err) {
        r = { status: Status.error(err) };
      }
      const s = r.status;
      if (!s || s.code === Code.Success) return { result: r.result, status: Status.success() };
      if (s.code === Code.UnschedulableAndUnresolvable) return { result: r.result, status: s.withPlugin(pl.name) };
      if (!s.isRejected()) return { status: new Status(Code.Error, s.reasons, pl.name, s.error) };
      if (r.result?.nominatedNodeName !== undefined) result = r.result;
      reasons.push(...s.reasons);
      rejector ||= pl.name;
    }
    return { result, status: new Status(Code.Unschedulable, reasons, rejector) };
  }

  // ---- scoring -----------------------------------------------------------------------------

  runPreScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status | null {
    state.skipScorePlugins.clear();
    for (const pl of this.preScorePlugins) {
      let s: MaybeStatus;
      try {
        s = pl.preScore(state, pod, nodes);
      } catch (err) {
        s = Status.error(err);
      }
      if (!s || s.code === Code.Success) continue;
      if (s.code === Code.Skip) {
        state.skipScorePlugins.add(pl.name);
        continue;
      }
      return new Status(Code.Error, [`running PreScore plugin "${pl.name}": ${s.message()}`], pl.name, s.error);
    }
    return null;
  }

  /**
   * Score, NormalizeScore, weights (upstream RunScorePlugins): per node the sum over plugins of
   * weight × normalized score; a score outside [0, 100] after normalizing is an error. The
   * totals are valid until the next call (one buffer serves every cycle: a new one per pod
   * would be an off-heap allocation of a few KiB each time).
   */
  runScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): { totals?: Float64Array; status?: Status } {
    const n = nodes.length;
    if (this.totals.length < n) this.totals = new Float64Array(Math.max(n, this.totals.length * 2));
    const totals = this.totals.subarray(0, n);
    totals.fill(0);
    if (this.rawScores.length < n) this.rawScores = new Float64Array(Math.max(n, this.rawScores.length * 2));
    const raw = this.rawScores;
    for (let p = 0; p < this.scorePlugins.length; p++) {
      const pl = this.scorePlugins[p];
      if (state.skipScorePlugins.has(pl.name)) continue;
      const w = this.scoreWeights[p];
      const failed = pl.scoreNodes ? this.scoreBatch(pl, state, pod, nodes, raw) : this.scoreEach(pl, state, pod, nodes, raw);
      if (failed) return { status: failed };
      const ext = pl.scoreExtensions?.();
      if (!ext) {
        // Nothing to normalize: the raw scores are the plugin's scores.
        for (let i = 0; i < n; i++) {
          const sc = raw[i];
          if (sc > MAX_NODE_SCORE || sc < MIN_NODE_SCORE || Number.isNaN(sc)) return { status: invalidScore(pl.name, sc) };
          totals[i] += sc * w;
        }
        continue;
      }
      const pool = this.scorePools[p];
      while (pool.length < n) pool.push({ name: '', score: 0 });
      const list = pool.length === n ? pool : pool.slice(0, n);
      for (let i = 0; i < n; i++) {
        const e = list[i];
        e.name = nodes[i].name;
        e.score = raw[i];
      }
      let s: MaybeStatus;
      try {
        s = ext.normalizeScore(state, pod, list);
      } catch (err) {
        s = Status.error(err);
      }
      if (s && s.code !== Code.Success) return { status: new Status(Code.Error, [`running Normalize on Score plugin "${pl.name}": ${s.message()}`], pl.name, s.error) };
      for (let i = 0; i < n; i++) {
        const sc = list[i].score;
        if (sc > MAX_NODE_SCORE || sc < MIN_NODE_SCORE || Number.isNaN(sc)) return { status: invalidScore(pl.name, sc) };
        totals[i] += sc * w;
      }
    }
    return { totals };
  }

  /** One plugin's raw scores of the nodes, node by node, into raw; an Error status (naming the plugin) when one fails. */
  private scoreEach(pl: ScorePlugin, state: CycleState, pod: Pod, nodes: NodeInfo[], raw: Float64Array): Status | undefined {
    for (let i = 0; i < nodes.length; i++) {
      let s: number | Status;
      try {
        s = pl.score(state, pod, nodes[i]);
      } catch (err) {
        s = Status.error(err);
      }
      if (typeof s === 'number') raw[i] = s;
      else if (s.code === Code.Success) raw[i] = 0;
      else return scoreFailed(pl, s);
    }
    return undefined;
  }

  /** One plugin's raw scores of the nodes in one scoreNodes call, into raw; as scoreEach. */
  private scoreBatch(pl: ScorePlugin, state: CycleState, pod: Pod, nodes: NodeInfo[], raw: Float64Array): Status | undefined {
    let s: MaybeStatus;
    try {
      s = pl.scoreNodes!(state, pod, nodes, raw);
    } catch (err) {
      s = Status.error(err);
    }
    return s && s.code !== Code.Success ? scoreFailed(pl, s) : undefined;
  }

  // ---- reserve, permit, bind -----------------------------------------------------------------

  runReservePluginsReserve(state: CycleState, pod: Pod, nodeName: string): Status | null {
    for (const pl of this.reservePlugins) {
      let s: MaybeStatus;
      try {
        s = pl.reserve(state, pod, nodeName);
      } catch (err) {
        s = Status.error(err);
      }
      if (s && s.code !== Code.Success) {
        if (s.isRejected()) return s.withPlugin(pl.name);
        return new Status(Code.Error, [`running Reserve plugin "${pl.name}": ${s.message()}`], pl.name, s.error);
      }
    }
    return null;
  }

  /** Unreserve in reverse order of Reserve; every plugin is called even if one throws. */
  runReservePluginsUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    for (let i = this.reservePlugins.length - 1; i >= 0; i--) {
      try {
        this.reservePlugins[i].unreserve(state, pod, nodeName);
      } catch (err) {
        this.log.error({ err, plugin: this.reservePlugins[i].name }, 'unreserve failed');
      }
    }
  }

  /** Permit: a rejection ends it; Waits are collected into a WaitingPod (Status Wait returned). */
  runPermitPlugins(state: CycleState, pod: Pod, nodeName: string): Status | null {
    const waits = new Map<string, number>();
    for (const pl of this.permitPlugins) {
      let r: ReturnType<PermitPlugin['permit']>;
      try {
        r = pl.permit(state, pod, nodeName);
      } catch (err) {
        r = { status: Status.error(err) };
      }
      const s = r.status;
      if (!s || s.code === Code.Success) continue;
      if (s.isRejected()) return s.withPlugin(pl.name);
      if (s.code === Code.Wait) {
        waits.set(pl.name, Math.min(r.timeoutMs ?? MAX_PERMIT_TIMEOUT_MS, MAX_PERMIT_TIMEOUT_MS));
        continue;
      }
      return new Status(Code.Error, [`running Permit plugin "${pl.name}": ${s.message()}`], pl.name, s.error);
    }
    if (waits.size === 0) return null;
    const uid = pod.metadata?.uid ?? '';
    this.waitingPods.set(uid, new WaitingPodImpl(pod, waits));
    return new Status(Code.Wait, [`one or more plugins asked to wait and no plugin rejected pod "${pod.metadata?.name ?? ''}"`]);
  }

  /** Resolves when the pod (if waiting at Permit) is allowed (null) or rejected. */
  async waitOnPermit(pod: Pod): Promise<Status | null> {
    const uid = pod.metadata?.uid ?? '';
    const wp = this.waitingPods.get(uid);
    if (!wp) return null;
    try {
      const s = await wp.result;
      return s.isSuccess() ? null : s;
    } finally {
      this.waitingPods.delete(uid);
    }
  }

  async runPreBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Status | null> {
    for (const pl of this.preBindPlugins) {
      let s: MaybeStatus;
      try {
        s = await pl.preBind(state, pod, nodeName);
      } catch (err) {
        s = Status.error(err);
      }
      if (s && s.code !== Code.Success) {
        if (s.isRejected()) return s.withPlugin(pl.name);
        return new Status(Code.Error, [`running PreBind plugin "${pl.name}": ${s.message()}`], pl.name, s.error);
      }
    }
    return null;
  }

  /** Bind: the first plugin that does not Skip binds; all skipping is a Skip status. */
  async runBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Status | null> {
    for (const pl of this.bindPlugins) {
      let s: MaybeStatus;
      try {
        s = await pl.bind(state, pod, nodeName);
      } catch (err) {
        s = Status.error(err);
      }
      if (s && s.code === Code.Skip) continue;
      if (s && s.code !== Code.Success) {
        if (s.isRejected()) return s.withPlugin(pl.name);
        return new Status(Code.Error, [`running Bind plugin "${pl.name}": ${s.message()}`], pl.name, s.error);
      }
      return null;
    }
    return Status.skip();
  }

  runPostBindPlugins(state: CycleState, pod: Pod, nodeName: string): void {
    for (const pl of this.postBindPlugins) {
      try {
        pl.postBind(state, pod, nodeName);
      } catch (err) {
        this.log.error({ err, plugin: pl.name }, 'postBind failed');
      }
    }
  }
}
