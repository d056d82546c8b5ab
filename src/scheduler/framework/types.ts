// The scheduling framework's contracts (upstream pkg/scheduler/framework/interface.go): the
// extension points a plugin may implement, the handle the framework gives plugins, and the
// cluster events plugins register for (queueing hints). The framework knows extension points,
// never plugins; a plugin is a folder under src/scheduler/plugins/ registered by name.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Client } from '../../client/rest/client.js';
import type { EventRecorder } from '../../client/events/index.js';
import type { Informers } from '../../controllers/context.js';
import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { MaybeStatus, Status } from './status.js';

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface Plugin {
  readonly name: string;
}

/** Gate before a pod enters activeQ (SchedulingGates). A non-success keeps it out of the queue. */
export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: Pod): MaybeStatus;
}

/** A pod waiting in the scheduling queue. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When the pod was added to the queue (ms since epoch); FIFO tie-breaker. */
  timestamp: number;
  /** Scheduling attempts so far (drives backoff: 1 s doubling to 10 s). */
  attempts: number;
  /** When it was first added (for e2e latency). */
  initialAttemptTimestamp: number;
  /** Plugins that rejected it in the last attempt (only their events can requeue it). */
  unschedulablePlugins: Set<string>;
  /** Plugins that returned Pending (e.g. waiting on something outside the scheduler). */
  pendingPlugins: Set<string>;
  /** PreEnqueue rejected it (scheduling gates): it waits in the unschedulable pool, not activeQ. */
  gated: boolean;
}

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** PreFilter may narrow the nodes to evaluate (e.g. NodeAffinity with a metadata.name term). */
export interface PreFilterResult {
  /** undefined = all nodes. */
  nodeNames?: Set<string>;
}

/** Incremental updates of PreFilter state when preemption simulates adding/removing pods. */
export interface PreFilterExtensions {
  addPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
  removePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
}

export interface PreFilterPlugin extends Plugin {
  /** Status Skip means: this plugin's Filter is not needed for this pod. */
  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status?: MaybeStatus } | MaybeStatus;
  preFilterExtensions?(): PreFilterExtensions | undefined;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus;
}

/** Per-node filter result of a failed cycle (what PostFilter/preemption and the failure message read). */
export interface NodeToStatus {
  get(nodeName: string): Status | undefined;
  /** Nodes that failed with a status (nodes absent here passed or were not evaluated). */
  entries(): Iterable<[string, Status]>;
  /** Status for nodes not evaluated (PreFilter narrowed them out): UnschedulableAndUnresolvable. */
  absentNodesStatus?: Status;
}

export interface PostFilterResult {
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: Pod, filteredNodeStatusMap: NodeToStatus): Promise<{ result?: PostFilterResult; status: MaybeStatus }>;
}

export interface PreScorePlugin extends Plugin {
  /**
   * Status Skip means: skip this plugin's Score for this pod. `nodes` (the feasible nodes) is
   * the scheduler's buffer, refilled by the next cycle: read it, do not keep it.
   */
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): MaybeStatus;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScoreExtensions {
  /** Maps raw scores into [MIN_NODE_SCORE, MAX_NODE_SCORE] in place. */
  normalizeScore(state: CycleState, pod: Pod, scores: NodeScore[]): MaybeStatus;
}

export interface ScorePlugin extends Plugin {
  /** The node's raw score; throw (or return a Status) on error. */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number | Status;
  /**
   * Optional, for speed: the raw scores of many nodes in one call, scores[i] being exactly what
   * score() returns for nodes[i]. The framework calls it instead of score() per node (Score runs
   * for hundreds of nodes per pod; one call reads the cycle state once and loops tightly). A
   * Status that is not Success fails the cycle as a failing score() would.
   */
  scoreNodes?(state: CycleState, pod: Pod, nodes: readonly NodeInfo[], scores: Float64Array): MaybeStatus;
  scoreExtensions?(): ScoreExtensions | undefined;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): MaybeStatus;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  /** Status Wait with timeoutMs holds the pod until a WaitingPod is allowed/rejected. */
  permit(state: CycleState, pod: Pod, nodeName: string): { status?: MaybeStatus; timeoutMs?: number };
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus>;
}

export interface BindPlugin extends Plugin {
  /** Status Skip passes the pod to the next bind plugin. */
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: Pod, nodeName: string): void;
}

// ---- Queueing hints (upstream framework.EnqueueExtensions) ----

export type EventResource = 'Pod' | 'AssignedPod' | 'UnscheduledPod' | 'Node' | 'PersistentVolume' | 'PersistentVolumeClaim' | 'StorageClass' | 'CSINode' | 'Namespace' | 'PodDisruptionBudget' | '*';

/** Bit flags, as upstream ActionType. */
export enum ActionType {
  Add = 1,
  Delete = 2,
  UpdateNodeAllocatable = 4,
  UpdateNodeLabel = 8,
  UpdateNodeTaint = 16,
  UpdateNodeCondition = 32,
  UpdateNodeAnnotation = 64,
  UpdatePodLabel = 128,
  UpdatePodScaleDown = 256,
  UpdatePodTolerations = 512,
  UpdatePodSchedulingGatesEliminated = 1024,
  /** Any other update. */
  Update = 2048,
  All = 4095,
}

export interface ClusterEvent {
  resource: EventResource;
  actionType: number;
}

export enum QueueingHint {
  Skip = 0,
  Queue = 1,
}

/** Decides whether an event may make `pod` schedulable (true → move it to activeQ/backoffQ). */
export type QueueingHintFn = (log: Logger, pod: Pod, oldObj: unknown, newObj: unknown) => QueueingHint;

export interface ClusterEventWithHint {
  event: ClusterEvent;
  /** Absent = always Queue. */
  hint?: QueueingHintFn;
}

export interface EnqueueExtensions {
  eventsToRegister(): ClusterEventWithHint[];
}

// ---- What plugins can use ----

/** The snapshot of the cluster for this cycle (upstream SharedLister). Read-only for plugins. */
export interface NodeInfoLister {
  list(): NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  havePodsWithAffinityList(): NodeInfo[];
  havePodsWithRequiredAntiAffinityList(): NodeInfo[];
  /** How many nodes report any image (ImageLocality skips Score when none does); optional for other listers. */
  numNodesWithImages?(): number;
}

export interface PodNominator {
  /** Pods nominated to run on the node (by preemption), as PodInfos, highest priority first. */
  nominatedPodsForNode(nodeName: string): PodInfo[];
  addNominatedPod(podInfo: PodInfo, nominatedNodeName: string): void;
  deleteNominatedPodIfExists(pod: Pod): void;
}

/** Pods the scheduler has decided on and is waiting to bind (Permit Wait). */
export interface WaitingPod {
  pod: Pod;
  allow(plugin: string): void;
  reject(plugin: string, message: string): void;
}

export interface Handle {
  client: Client;
  informers: Informers;
  recorder: EventRecorder;
  log: Logger;
  /** The snapshot of the current cycle. */
  snapshotSharedLister(): NodeInfoLister;
  nominator: PodNominator;
  /** Runs every Filter plugin for pod on nodeInfo, also counting pods nominated to that node with priority ≥ pod's (upstream RunFilterPluginsWithNominatedPods). */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus;
  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
  getWaitingPod(uid: string): WaitingPod | undefined;
  /** Moves pods back to activeQ (e.g. after preemption victims are deleted). */
  activate(pods: Pod[]): void;
  /** Extenders configured for this scheduler (preemption consults those that support it). */
  extenders: Extender[];
}

/** Upstream framework.Extender, implemented over HTTP in src/scheduler/extender. */
export interface Extender {
  name(): string;
  isIgnorable(): boolean;
  /** True if the extender handles this pod (managedResources). */
  isInterested(pod: Pod): boolean;
  filter(pod: Pod, nodes: NodeInfo[]): Promise<{ nodes: NodeInfo[]; failedNodes: Map<string, string>; failedAndUnresolvable: Map<string, string> }>;
  prioritize(pod: Pod, nodes: NodeInfo[]): Promise<{ scores: NodeScore[]; weight: number }>;
  isPrioritizer(): boolean;
  isFilter(): boolean;
  isBinder(): boolean;
  bind(pod: Pod, nodeName: string): Promise<void>;
  supportsPreemption(): boolean;
  /** Given candidate victims per node, returns what the extender accepts. */
  processPreemption(pod: Pod, victims: Map<string, { pods: Pod[]; numPDBViolations: number }>, nodes: NodeInfoLister): Promise<Map<string, { pods: Pod[]; numPDBViolations: number }>>;
}

/** Builds a plugin from its args (the pluginConfig entry, defaults applied by the plugin). */
export type PluginFactory = (args: Record<string, unknown> | undefined, handle: Handle) => Plugin;
