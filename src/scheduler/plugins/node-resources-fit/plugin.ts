// NodeResourcesFit (upstream noderesources/fit.go): Filter rejects nodes without room for the
// pod's requests (pods count, cpu, memory, ephemeral-storage, extended resources); Score ranks
// nodes by the configured strategy. The pod's request is computed once per cycle, in PreFilter
// for Filter and in PreScore for Score, so the per-node work is a few comparisons.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { COL_ALLOC_CPU, COL_ALLOC_MEMORY, COL_FREE_PODS, COL_REQUESTED_CPU, COL_REQUESTED_MEMORY, ROW_NO_NODE, ROW_SIZE, nodeRow } from '../../framework/node-table.js';
import { podRequests, type Resource } from '../../framework/resource.js';
import { Code, Status, type MaybeStatus } from '../../framework/status.js';
import {
  ActionType,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/types.js';
import type { FitArgs } from './args.js';
import { fitsRequest, type IgnoredResources } from './fits.js';
import { isSchedulableAfterNodeChange, isSchedulableAfterPodEvent } from './queueing-hints.js';
import { ResourceAllocationScorer, type ResourceScorer } from './resource-allocation.js';
import { leastAllocatedScorer, mostAllocatedScorer, requestedToCapacityRatioScorer } from './scorers.js';

export const NAME = 'NodeResourcesFit';
export const PRE_FILTER_STATE_KEY = `PreFilter${NAME}`;
export const PRE_SCORE_STATE_KEY = `PreScore${NAME}`;

function strategyScorer(args: FitArgs): ResourceScorer {
  const s = args.scoringStrategy;
  switch (s.type) {
    case 'LeastAllocated':
      return leastAllocatedScorer(s.resources);
    case 'MostAllocated':
      return mostAllocatedScorer(s.resources);
    case 'RequestedToCapacityRatio':
      return requestedToCapacityRatioScorer(s.resources, s.requestedToCapacityRatio?.shape ?? []);
  }
}

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly ignored: IgnoredResources;
  private readonly scorer: ResourceAllocationScorer;

  constructor(args: FitArgs) {
    this.ignored = { names: new Set(args.ignoredResources), groups: new Set(args.ignoredResourceGroups) };
    this.scorer = new ResourceAllocationScorer(args.scoringStrategy.resources, strategyScorer(args), false);
  }

  /** Which strategy scores (for logs and tests). */
  get scoringResources() {
    return this.scorer.resources;
  }

  preFilter(state: CycleState, pod: Pod): MaybeStatus {
    state.write(PRE_FILTER_STATE_KEY, podRequests(pod));
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const request = state.read<Resource>(PRE_FILTER_STATE_KEY);
    if (!request) return Status.error(`error reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`);
    // Fast path: a request of cpu/memory alone that fits by the node's row (the same comparisons
    // as fitsRequest's). Anything else, or a shortage (whose reasons fitsRequest builds), takes the full check.
    if (request.ephemeralStorage === 0 && request.scalar.size === 0) {
      const row = nodeRow(nodeInfo);
      if (row >= 0) {
        const t = nodeInfo.table!;
        const rows = t.rows;
        const o = row * ROW_SIZE;
        if (
          (t.flags[row]! & ROW_NO_NODE) === 0 &&
          rows[o + COL_FREE_PODS]! >= 1 &&
          !(request.milliCPU > 0 && request.milliCPU > rows[o + COL_ALLOC_CPU]! - rows[o + COL_REQUESTED_CPU]!) &&
          !(request.memory > 0 && request.memory > rows[o + COL_ALLOC_MEMORY]! - rows[o + COL_REQUESTED_MEMORY]!)
        ) {
          return undefined;
        }
      }
    }
    const insufficient = fitsRequest(request, nodeInfo, this.ignored);
    if (insufficient.length === 0) return undefined;
    const code = insufficient.some((r) => r.unresolvable) ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
    return new Status(
      code,
      insufficient.map((r) => r.reason),
    );
  }

  preScore(state: CycleState, pod: Pod): MaybeStatus {
    state.write(PRE_SCORE_STATE_KEY, this.scorer.podRequestList(pod));
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number | Status {
    const requests = state.read<number[]>(PRE_SCORE_STATE_KEY) ?? this.scorer.podRequestList(pod);
    return this.scorer.score(nodeInfo, requests);
  }

  scoreNodes(state: CycleState, pod: Pod, nodes: readonly NodeInfo[], scores: Float64Array): MaybeStatus {
    const requests = state.read<number[]>(PRE_SCORE_STATE_KEY) ?? this.scorer.podRequestList(pod);
    this.scorer.scoreNodes(nodes, requests, scores);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      // A deleted scheduled pod (or one scaled down in place) frees room on its node.
      { event: { resource: 'Pod', actionType: ActionType.Delete | ActionType.UpdatePodScaleDown }, hint: isSchedulableAfterPodEvent },
      // Queueing hints replace upstream's preCheck, so node label/taint updates need not be registered.
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable }, hint: isSchedulableAfterNodeChange },
    ];
  }
}
