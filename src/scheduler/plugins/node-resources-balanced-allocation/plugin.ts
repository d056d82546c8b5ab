// NodeResourcesBalancedAllocation (upstream noderesources/balanced_allocation.go): a Score-only
// plugin that prefers nodes whose resources would be used in equal proportion after placing the
// pod. The pod's requests are computed once in PreScore. As upstream since issue 129138,
// best-effort pods (no requests for the scored resources) skip this plugin: with nothing to
// balance, every node would score alike, and counting them as 0 would pile them onto one node.
// It scores real requests (not the 100m/200Mi non-zero defaults NodeResourcesFit scores with).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import type { ClusterEventWithHint, EnqueueExtensions, PreScorePlugin, ScorePlugin } from '../../framework/types.js';
import { isBestEffort, ResourceAllocationScorer } from '../node-resources-fit/resource-allocation.js';
import type { BalancedAllocationArgs } from './args.js';
import { balancedResourceScorer } from './balanced-score.js';

export const NAME = 'NodeResourcesBalancedAllocation';
export const PRE_SCORE_STATE_KEY = `PreScore${NAME}`;

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly scorer: ResourceAllocationScorer;

  constructor(args: BalancedAllocationArgs) {
    this.scorer = new ResourceAllocationScorer(args.resources, balancedResourceScorer, true);
  }

  preScore(state: CycleState, pod: Pod): MaybeStatus {
    const requests = this.scorer.podRequestList(pod);
    if (isBestEffort(requests)) return Status.skip();
    state.write(PRE_SCORE_STATE_KEY, requests);
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number | Status {
    let requests = state.read<number[]>(PRE_SCORE_STATE_KEY);
    if (!requests) {
      requests = this.scorer.podRequestList(pod);
      if (isBestEffort(requests)) return 0;
    }
    return this.scorer.score(nodeInfo, requests);
  }

  scoreNodes(state: CycleState, pod: Pod, nodes: readonly NodeInfo[], scores: Float64Array): MaybeStatus {
    let requests = state.read<number[]>(PRE_SCORE_STATE_KEY);
    if (!requests) {
      requests = this.scorer.podRequestList(pod);
      if (isBestEffort(requests)) {
        scores.fill(0, 0, nodes.length);
        return;
      }
    }
    this.scorer.scoreNodes(nodes, requests, scores);
  }

  /** A Score plugin never rejects a pod, so no event needs to requeue one on its behalf. */
  eventsToRegister(): ClusterEventWithHint[] {
    return [];
  }
}
