// NodeAffinity (upstream plugins/nodeaffinity): Filter on the pod's nodeSelector and required node
// affinity (plus the profile's addedAffinity), Score by the weights of matching preferred terms.
// PreFilter compiles the selectors once per distinct selection (match-memo.ts, which also
// remembers the answer per node) and narrows the nodes to evaluate when every required term
// names nodes through matchFields metadata.name In.
import type { NodeAffinity as NodeAffinitySpec, Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Code, Status, type MaybeStatus } from '../../framework/status.js';
import {
  MAX_NODE_SCORE,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type NodeScore,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScoreExtensions,
  type ScorePlugin,
} from '../../framework/types.js';
import { defaultNormalizeScore } from './default-normalize-score.js';
import { nodeAffinityEvents } from './events.js';
import { MatchMemo, matches, type Selection } from './match-memo.js';
import { CompiledNodeSelector, CompiledPreferredTerms, RequiredNodeAffinity } from './node-selector.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;
const REJECTED_POD = Status.shared(Code.UnschedulableAndUnresolvable, ERR_REASON_POD, NAME);
const REJECTED_ENFORCED = Status.shared(Code.UnschedulableAndUnresolvable, ERR_REASON_ENFORCED, NAME);

/** NodeAffinityArgs: affinity every pod of the profile must also satisfy (required) or prefers. */
export interface NodeAffinityArgs {
  addedAffinity?: NodeAffinitySpec;
}

const preferredOf = (pod: Pod): CompiledPreferredTerms | undefined => {
  const terms = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  return terms ? new CompiledPreferredTerms(terms) : undefined;
};

export class NodeAffinityPlugin implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, ScoreExtensions, EnqueueExtensions {
  readonly name = NAME;
  private readonly addedNodeSelector: CompiledNodeSelector | undefined;
  private readonly addedPreferred: CompiledPreferredTerms | undefined;
  private readonly memo = new MatchMemo();

  constructor(args: NodeAffinityArgs = {}) {
    const required = args.addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required) {
      this.addedNodeSelector = new CompiledNodeSelector(required);
      if (this.addedNodeSelector.errors.length) throw new Error(`parsing addedAffinity.requiredDuringSchedulingIgnoredDuringExecution: ${this.addedNodeSelector.errors.join('; ')}`);
    }
    const preferred = args.addedAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (preferred?.length) {
      this.addedPreferred = new CompiledPreferredTerms(preferred);
      if (this.addedPreferred.errors.length) throw new Error(`parsing addedAffinity.preferredDuringSchedulingIgnoredDuringExecution: ${this.addedPreferred.errors.join('; ')}`);
    }
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return nodeAffinityEvents(this.addedNodeSelector);
  }

  preFilter(state: CycleState, pod: Pod, _nodes?: NodeInfo[]): { result?: PreFilterResult; status?: MaybeStatus } | MaybeStatus {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !this.addedNodeSelector && !pod.spec?.nodeSelector) return Status.skip();
    state.write(PRE_FILTER_KEY, this.memo.forSelection(pod.spec?.nodeSelector, required));
    const terms = required?.nodeSelectorTerms;
    if (!terms?.length) return undefined;
    // Terms are ORed: only when every term names nodes can the candidates be narrowed.
    let nodeNames: Set<string> | undefined;
    for (const t of terms) {
      let termNames: Set<string> | undefined;
      for (const r of t.matchFields ?? []) {
        if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
        const s = new Set(r.values ?? []);
        termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
      }
      if (!termNames) return undefined;
      nodeNames ??= new Set();
      for (const n of termNames) nodeNames.add(n);
    }
    if (nodeNames && nodeNames.size === 0) return new Status(Code.UnschedulableAndUnresolvable, [ERR_REASON_CONFLICT]);
    return nodeNames ? { result: { nodeNames } } : undefined;
  }

  preFilterExtensions(): undefined {
    return undefined;
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const node = nodeInfo.node;
    if (!node) return Status.error(new Error('node not found'));
    if (this.addedNodeSelector && !this.addedNodeSelector.match(node)) return REJECTED_ENFORCED;
    const sel = state.read<Selection>(PRE_FILTER_KEY);
    // PreFilter may be disabled (or skipped by preemption's re-evaluation): compute on demand.
    const match = sel ? matches(sel, node) : RequiredNodeAffinity.forPod(pod).match(node);
    return match ? undefined : REJECTED_POD;
  }

  preScore(state: CycleState, pod: Pod, _nodes?: NodeInfo[]): MaybeStatus {
    const preferred = preferredOf(pod);
    if (!preferred && !this.addedPreferred) return Status.skip();
    state.write(PRE_SCORE_KEY, { preferred });
    return undefined;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number | Status {
    const node = nodeInfo.node;
    if (!node) return Status.error(new Error('node not found'));
    let count = this.addedPreferred ? this.addedPreferred.score(node) : 0;
    const s = state.read<{ preferred?: CompiledPreferredTerms }>(PRE_SCORE_KEY) ?? { preferred: preferredOf(pod) };
    if (s.preferred) count += s.preferred.score(node);
    return count;
  }

  scoreExtensions(): ScoreExtensions {
    return this;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
    return undefined;
  }
}
