// PodTopologySpread (upstream podtopologyspread/plugin.go): spreads matching pods evenly across
// topology domains. DoNotSchedule constraints are Filter (filtering.ts), ScheduleAnyway ones are
// Score (scoring.ts). Pods without constraints get the cluster defaults (args), whose selector
// comes from the Services/RCs/RSs/StatefulSets selecting the pod, read from shared informers.
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { resources } from '../../../client/rest/builtin-resources.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import {
  ActionType,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type Handle,
  type NodeScore,
  type PreFilterExtensions,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScoreExtensions,
  type ScorePlugin,
} from '../../framework/types.js';
import { systemDefaultConstraints, type PodTopologySpreadArgs } from './args.js';
import { buildDefaultConstraints, filterTopologySpreadConstraints, type SpreadConstraint, type UnsatisfiableAction } from './constraints.js';
import type { SpreadListers } from './default-selector.js';
import { DomainIndexes } from './domain-index.js';
import { computeFilterState, filterNode, SpreadFilterState } from './filtering.js';
import { nodeChangeHint, podChangeHint } from './queueing-hints.js';
import { computeScoreState, normalizeScores, scoreNode, type SpreadScoreState } from './scoring.js';

export const NAME = 'PodTopologySpread';
export const PRE_FILTER_STATE_KEY = `PreFilter${NAME}`;
export const PRE_SCORE_STATE_KEY = `PreScore${NAME}`;
const STALE = `"${PRE_FILTER_STATE_KEY}" is from an earlier scheduling cycle: its counts have changed since`;

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions, PreFilterExtensions, ScoreExtensions {
  readonly name = NAME;
  private readonly defaultConstraints: TopologySpreadConstraint[];
  private readonly systemDefaulted: boolean;
  private readonly listers: SpreadListers | undefined;
  /** Matching pods per domain kept across cycles (PreFilter and PreScore read them). */
  private readonly domainIndexes = new DomainIndexes();

  constructor(
    args: PodTopologySpreadArgs,
    private readonly handle: Handle,
  ) {
    this.systemDefaulted = args.defaultingType === 'System';
    this.defaultConstraints = this.systemDefaulted ? systemDefaultConstraints : args.defaultConstraints;
    if (this.defaultConstraints.length > 0) {
      // Registering the informers here lets the scheduler start and sync them with the others.
      const i = handle.informers;
      this.listers = {
        services: i.for(resources.services).getIndexer(),
        replicationControllers: i.for(resources.replicationControllers).getIndexer(),
        replicaSets: i.for(resources.replicaSets).getIndexer(),
        statefulSets: i.for(resources.statefulSets).getIndexer(),
      };
    }
  }

  /** The pod's own constraints with `action`, or the cluster defaults when it declares none. Throws on an invalid selector. */
  constraints(pod: Pod, action: UnsatisfiableAction): SpreadConstraint[] {
    const own = pod.spec?.topologySpreadConstraints;
    if (own?.length) return filterTopologySpreadConstraints(own, pod.metadata?.labels, action);
    return buildDefaultConstraints(pod, this.defaultConstraints, this.listers, action);
  }

  // ---- Filter ----

  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): MaybeStatus {
    let constraints: SpreadConstraint[];
    try {
      constraints = this.constraints(pod, 'DoNotSchedule');
    } catch (err) {
      return Status.error(`get constraints from pod: ${(err as Error).message}`);
    }
    if (constraints.length === 0) return Status.skip();
    state.write(PRE_FILTER_STATE_KEY, computeFilterState(pod, constraints, nodes, this.domainIndexes));
  }

  preFilterExtensions(): PreFilterExtensions {
    return this;
  }

  addPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    const s = state.read<SpreadFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return Status.error(`reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`);
    if (!s.current()) return Status.error(STALE);
    s.updateWithPod(podInfoToAdd.pod, podToSchedule, nodeInfo.node, 1);
  }

  removePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    const s = state.read<SpreadFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return Status.error(`reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`);
    if (!s.current()) return Status.error(STALE);
    s.updateWithPod(podInfoToRemove.pod, podToSchedule, nodeInfo.node, -1);
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const s = state.read<SpreadFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return Status.error(`reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`);
    if (!s.current()) return Status.error(STALE);
    if (s.constraints.length === 0 || !nodeInfo.node) return undefined;
    return filterNode(s, nodeInfo.node);
  }

  // ---- Score ----

  preScore(state: CycleState, pod: Pod, filteredNodes: NodeInfo[]): MaybeStatus {
    const allNodes = this.handle.snapshotSharedLister().list();
    if (allNodes.length === 0) return Status.skip();
    let constraints: SpreadConstraint[];
    try {
      constraints = this.constraints(pod, 'ScheduleAnyway');
    } catch (err) {
      return Status.error(`calculating preScoreState: ${(err as Error).message}`);
    }
    if (constraints.length === 0) return Status.skip();
    // Only the system defaults tolerate nodes without every topology key (e.g. no zone label).
    const requireAllTopologies = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0 || !this.systemDefaulted;
    state.write(PRE_SCORE_STATE_KEY, computeScoreState(pod, constraints, filteredNodes, allNodes, requireAllTopologies, this.domainIndexes));
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number | Status {
    const s = state.read<SpreadScoreState>(PRE_SCORE_STATE_KEY);
    if (!s) return Status.error(`error reading "${PRE_SCORE_STATE_KEY}" from cycleState: not found`);
    return scoreNode(s, pod, nodeInfo);
  }

  scoreExtensions(): ScoreExtensions {
    return this;
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    const s = state.read<SpreadScoreState>(PRE_SCORE_STATE_KEY);
    if (!s) return Status.error(`error reading "${PRE_SCORE_STATE_KEY}" from cycleState: not found`);
    normalizeScores(s, scores);
  }

  // ---- Queueing ----

  eventsToRegister(): ClusterEventWithHint[] {
    const constraintsOf = (pod: Pod) => this.constraints(pod, 'DoNotSchedule');
    return [
      // A matching pod scheduled, relabelled or deleted changes the counts; a new toleration changes the domains (taints policy Honor).
      { event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.UpdatePodTolerations | ActionType.Delete }, hint: podChangeHint(constraintsOf) },
      // Nodes appearing, leaving or changing topology labels/taints change the domains.
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint }, hint: nodeChangeHint(constraintsOf) },
    ];
  }
}
