// Preferred inter-pod affinity (upstream interpodaffinity/scoring.go). PreScore sums, per
// topology pair, the weights of: the incoming pod's preferred (anti-)affinity terms matched by
// existing pods (+/-), existing pods' required affinity terms matched by the incoming pod
// (hardPodAffinityWeight) and existing pods' preferred (anti-)affinity terms matched by the
// incoming pod (+/-). A node's score is the sum over its label pairs; NormalizeScore maps the
// range [min, max] onto [0, 100].
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { newPodInfo, type AffinityTerm, type PodInfo, type WeightedAffinityTerm } from '../../framework/pod-info.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import { MAX_NODE_SCORE, type NodeInfoLister, type NodeScore } from '../../framework/types.js';
import type { InterPodAffinityArgs } from './args.js';
import { mergeNamespaceSelector, type NamespaceLister } from './namespaces.js';
import { termMatches, type NamespaceLabels } from './terms.js';

export const PRE_SCORE_STATE_KEY = 'PreScoreInterPodAffinity';

/** topologyKey → topology value → score. */
type ScoreMap = Map<string, Map<string, number>>;

export class PreScoreState {
  constructor(readonly topologyScore: ScoreMap) {}
}

function processTerm(m: ScoreMap, term: AffinityTerm, weight: number, pod: Pod, nsLabels: NamespaceLabels, node: Node, multiplier: number): void {
  if (!termMatches(term, pod, nsLabels)) return;
  const v = node.metadata?.labels?.[term.topologyKey];
  if (v === undefined) return;
  let byValue = m.get(term.topologyKey);
  if (!byValue) m.set(term.topologyKey, (byValue = new Map()));
  byValue.set(v, (byValue.get(v) ?? 0) + weight * multiplier);
}

function processTerms(m: ScoreMap, terms: readonly WeightedAffinityTerm[], pod: Pod, nsLabels: NamespaceLabels, node: Node, multiplier: number): void {
  for (const t of terms) processTerm(m, t, t.weight, pod, nsLabels, node, multiplier);
}

interface Incoming {
  podInfo: PodInfo;
  namespaceLabels: NamespaceLabels;
}

function hasKeys(labels: Record<string, string> | undefined): boolean {
  for (const k in labels) if (Object.prototype.hasOwnProperty.call(labels, k)) return true;
  return false;
}

/** Whether an existing pod's own terms can add to the incoming pod's scores (most pods with affinity have required anti-affinity only). */
const existingTermsScore = (existing: PodInfo, args: InterPodAffinityArgs) =>
  (args.hardPodAffinityWeight > 0 && existing.requiredAffinityTerms.length > 0) || existing.preferredAffinityTerms.length > 0 || existing.preferredAntiAffinityTerms.length > 0;

function processExistingPod(m: ScoreMap, args: InterPodAffinityArgs, incoming: Incoming, existing: PodInfo, node: Node): void {
  if (!hasKeys(node.metadata?.labels)) return;
  const pod = incoming.podInfo.pod;
  // The incoming pod's terms have their namespaceSelector resolved into names: no labels needed.
  processTerms(m, incoming.podInfo.preferredAffinityTerms, existing.pod, undefined, node, 1);
  processTerms(m, incoming.podInfo.preferredAntiAffinityTerms, existing.pod, undefined, node, -1);
  if (args.hardPodAffinityWeight > 0) {
    for (const t of existing.requiredAffinityTerms) processTerm(m, t, args.hardPodAffinityWeight, pod, incoming.namespaceLabels, node, 1);
  }
  processTerms(m, existing.preferredAffinityTerms, pod, incoming.namespaceLabels, node, 1);
  processTerms(m, existing.preferredAntiAffinityTerms, pod, incoming.namespaceLabels, node, -1);
}

export function preScore(state: CycleState, pod: Pod, nodes: NodeInfo[], lister: NodeInfoLister, namespaces: NamespaceLister, args: InterPodAffinityArgs): MaybeStatus {
  if (nodes.length === 0) return Status.skip();
  const a = pod.spec?.affinity;
  const hasConstraints = (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0 || (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  if (args.ignorePreferredTermsOfExistingPods && !hasConstraints) return Status.skip();

  // Scoring reads only the incoming pod's preferred terms: parse them only if there are any.
  const pi = hasConstraints ? newPodInfo(pod) : undefined;
  const incoming: Incoming = {
    podInfo: {
      pod,
      requiredAffinityTerms: [],
      requiredAntiAffinityTerms: [],
      preferredAffinityTerms: pi ? pi.preferredAffinityTerms.map((t) => mergeNamespaceSelector(t, namespaces)) : [],
      preferredAntiAffinityTerms: pi ? pi.preferredAntiAffinityTerms.map((t) => mergeNamespaceSelector(t, namespaces)) : [],
    },
    namespaceLabels: namespaces.labels(pod.metadata?.namespace ?? ''),
  };

  // Without preferred terms of its own, only pods with affinity terms can contribute.
  const allNodes = hasConstraints ? lister.list() : lister.havePodsWithAffinityList();
  const scores: ScoreMap = new Map();
  for (const ni of allNodes) {
    if (!ni.node) continue;
    for (const ep of hasConstraints ? ni.pods : ni.podsWithAffinity) {
      // Without terms on either side the pod adds nothing (skipping it saves the matching).
      if (!hasConstraints && !existingTermsScore(ep, args)) continue;
      processExistingPod(scores, args, incoming, ep, ni.node);
    }
  }
  // upstream skips when no node contributed anything (even entries that summed to zero count).
  if (scores.size === 0) return Status.skip();
  state.write(PRE_SCORE_STATE_KEY, new PreScoreState(scores));
  return null;
}

export function score(state: CycleState, nodeInfo: NodeInfo): number | Status {
  const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
  if (!(s instanceof PreScoreState)) return Status.error(new Error(`reading "${PRE_SCORE_STATE_KEY}" from cycleState: not found`));
  const labels = nodeInfo.node?.metadata?.labels ?? {};
  let total = 0;
  for (const [key, byValue] of s.topologyScore) {
    const v = labels[key];
    if (v !== undefined) total += byValue.get(v) ?? 0;
  }
  return total;
}

export function normalizeScore(state: CycleState, scores: NodeScore[]): MaybeStatus {
  const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
  if (!(s instanceof PreScoreState)) return Status.error(new Error(`reading "${PRE_SCORE_STATE_KEY}" from cycleState: not found`));
  if (s.topologyScore.size === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const ns of scores) {
    min = Math.min(min, ns.score);
    max = Math.max(max, ns.score);
  }
  const diff = max - min;
  for (const ns of scores) ns.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((ns.score - min) / diff)) : 0;
  return null;
}
