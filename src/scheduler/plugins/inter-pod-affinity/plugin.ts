// The InterPodAffinity plugin object: PreFilter/Filter (required terms, filtering.ts),
// PreScore/Score/NormalizeScore (preferred terms, scoring.ts) and its queueing hints.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { MaybeStatus, Status } from '../../framework/status.js';
import type {
  ClusterEventWithHint,
  EnqueueExtensions,
  FilterPlugin,
  NodeInfoLister,
  NodeScore,
  PreFilterExtensions,
  PreFilterPlugin,
  PreScorePlugin,
  ScoreExtensions,
  ScorePlugin,
} from '../../framework/types.js';
import type { InterPodAffinityArgs } from './args.js';
import { eventsToRegister } from './events.js';
import { filter, preFilter, updateState } from './filtering.js';
import type { NamespaceLister } from './namespaces.js';
import { PairIndexes } from './pair-index.js';
import { normalizeScore, preScore, score } from './scoring.js';

export const NAME = 'InterPodAffinity';

export interface InterPodAffinityDeps {
  args: InterPodAffinityArgs;
  /** The snapshot of the current cycle (read at each call: the framework swaps it per cycle). */
  lister: () => NodeInfoLister;
  namespaces: NamespaceLister;
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly extensions: PreFilterExtensions = {
    addPod: (state: CycleState, _pod: Pod, pi: PodInfo, nodeInfo: NodeInfo) => updateState(state, pi, nodeInfo, 1),
    removePod: (state: CycleState, _pod: Pod, pi: PodInfo, nodeInfo: NodeInfo) => updateState(state, pi, nodeInfo, -1),
  };
  private readonly scoreExt: ScoreExtensions = {
    normalizeScore: (state: CycleState, _pod: Pod, scores: NodeScore[]) => normalizeScore(state, scores),
  };

  /** Counts kept across cycles: existing pods' anti-affinity per incoming pod kind, and per distinct incoming terms. */
  private readonly existingIndexes = new PairIndexes();
  private readonly termIndexes = new PairIndexes();

  constructor(private readonly deps: InterPodAffinityDeps) {}

  preFilter(state: CycleState, pod: Pod): MaybeStatus {
    return preFilter(state, pod, this.deps.lister(), this.deps.namespaces, { existing: this.existingIndexes, terms: this.termIndexes });
  }

  preFilterExtensions(): PreFilterExtensions {
    return this.extensions;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    return filter(state, nodeInfo);
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): MaybeStatus {
    return preScore(state, pod, nodes, this.deps.lister(), this.deps.namespaces, this.deps.args);
  }

  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number | Status {
    return score(state, nodeInfo);
  }

  scoreExtensions(): ScoreExtensions {
    return this.scoreExt;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return eventsToRegister();
  }
}
