// Required inter-pod affinity and anti-affinity (upstream interpodaffinity/filtering.go).
// PreFilter counts, per topology pair, (1) existing pods whose required anti-affinity terms match
// the incoming pod, (2) existing pods matching all of the incoming pod's affinity terms and
// (3) existing pods matching each of its anti-affinity terms. Filter then answers per node from
// the counts alone. Preemption adds/removes pods through addPod/removePod on a cloned state.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { newPodInfo, type AffinityTerm, type PodInfo } from '../../framework/pod-info.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import type { NodeInfoLister } from '../../framework/types.js';
import { mergeNamespaceSelector, type NamespaceLister } from './namespaces.js';
import { podMatchesAllTerms, termMatches, type NamespaceLabels } from './terms.js';
import { TopologyCounts } from './topology-counts.js';

export const PRE_FILTER_STATE_KEY = 'PreFilterInterPodAffinity';

export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";

export class PreFilterState {
  constructor(
    /** Existing pods whose required anti-affinity terms match the incoming pod. */
    readonly existingAntiAffinityCounts: TopologyCounts,
    /** Existing pods matching all the incoming pod's required affinity terms. */
    readonly affinityCounts: TopologyCounts,
    /** Existing pods matching the incoming pod's required anti-affinity terms (per term). */
    readonly antiAffinityCounts: TopologyCounts,
    /** The incoming pod with its namespaceSelectors resolved; shared by clones (never mutated). */
    readonly podInfo: PodInfo,
    /** The incoming pod's namespace labels, for existing pods' namespaceSelector terms. */
    readonly namespaceLabels: NamespaceLabels,
  ) {}

  clone(): PreFilterState {
    return new PreFilterState(this.existingAntiAffinityCounts.clone(), this.affinityCounts.clone(), this.antiAffinityCounts.clone(), this.podInfo, this.namespaceLabels);
  }

  /** Accounts for `pi` appearing (+1) on or disappearing (-1) from `nodeInfo`'s node. */
  updateWithPod(pi: PodInfo, nodeInfo: NodeInfo, delta: 1 | -1): void {
    updateWithAntiAffinityTerms(this.existingAntiAffinityCounts, pi.requiredAntiAffinityTerms, this.podInfo.pod, this.namespaceLabels, nodeInfo, delta);
    updateWithAffinityTerms(this.affinityCounts, this.podInfo.requiredAffinityTerms, pi.pod, nodeInfo, delta);
    // The incoming pod's terms have their namespaceSelector merged into names: no labels needed.
    updateWithAntiAffinityTerms(this.antiAffinityCounts, this.podInfo.requiredAntiAffinityTerms, pi.pod, undefined, nodeInfo, delta);
  }
}

function updateWithAffinityTerms(counts: TopologyCounts, terms: readonly AffinityTerm[], pod: Pod, nodeInfo: NodeInfo, delta: number): void {
  if (!podMatchesAllTerms(terms, pod)) return;
  for (const t of terms) counts.update(nodeInfo.node, t.topologyKey, delta);
}

function updateWithAntiAffinityTerms(counts: TopologyCounts, terms: readonly AffinityTerm[], pod: Pod, nsLabels: NamespaceLabels, nodeInfo: NodeInfo, delta: number): void {
  for (const t of terms) if (termMatches(t, pod, nsLabels)) counts.update(nodeInfo.node, t.topologyKey, delta);
}

/** The incoming pod's PodInfo with namespaceSelectors of its required terms resolved (a copy: the queue's PodInfo stays untouched). */
function resolvedPodInfo(pod: Pod, namespaces: NamespaceLister): PodInfo {
  const pi = newPodInfo(pod);
  return {
    ...pi,
    requiredAffinityTerms: pi.requiredAffinityTerms.map((t) => mergeNamespaceSelector(t, namespaces)),
    requiredAntiAffinityTerms: pi.requiredAntiAffinityTerms.map((t) => mergeNamespaceSelector(t, namespaces)),
  };
}

export function preFilter(state: CycleState, pod: Pod, lister: NodeInfoLister, namespaces: NamespaceLister): MaybeStatus {
  const podInfo = resolvedPodInfo(pod, namespaces);
  const namespaceLabels = namespaces.labels(pod.metadata?.namespace ?? '');

  const existing = new TopologyCounts();
  for (const ni of lister.havePodsWithRequiredAntiAffinityList()) {
    if (!ni.node) continue;
    for (const ep of ni.podsWithRequiredAntiAffinity) updateWithAntiAffinityTerms(existing, ep.requiredAntiAffinityTerms, pod, namespaceLabels, ni, 1);
  }

  const affinity = new TopologyCounts();
  const antiAffinity = new TopologyCounts();
  if (podInfo.requiredAffinityTerms.length || podInfo.requiredAntiAffinityTerms.length) {
    for (const ni of lister.list()) {
      if (!ni.node) continue;
      for (const ep of ni.pods) {
        updateWithAffinityTerms(affinity, podInfo.requiredAffinityTerms, ep.pod, ni, 1);
        updateWithAntiAffinityTerms(antiAffinity, podInfo.requiredAntiAffinityTerms, ep.pod, undefined, ni, 1);
      }
    }
  }

  if (existing.size === 0 && podInfo.requiredAffinityTerms.length === 0 && podInfo.requiredAntiAffinityTerms.length === 0) return Status.skip();
  state.write(PRE_FILTER_STATE_KEY, new PreFilterState(existing, affinity, antiAffinity, podInfo, namespaceLabels));
  return null;
}

export function readPreFilterState(state: CycleState): PreFilterState | Status {
  const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
  if (!(s instanceof PreFilterState)) return Status.error(new Error(`reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`));
  return s;
}

/** The node does not host (in its topology) pods whose anti-affinity the incoming pod would violate. */
function satisfiesExistingPodsAntiAffinity(s: PreFilterState, nodeInfo: NodeInfo): boolean {
  return !s.existingAntiAffinityCounts.anyPositiveOnNode(nodeInfo.node);
}

function satisfiesPodAntiAffinity(s: PreFilterState, nodeInfo: NodeInfo): boolean {
  if (s.antiAffinityCounts.size === 0) return true;
  const labels = nodeInfo.node?.metadata?.labels ?? {};
  for (const t of s.podInfo.requiredAntiAffinityTerms) {
    const v = labels[t.topologyKey];
    if (v !== undefined && s.antiAffinityCounts.get(t.topologyKey, v) > 0) return false;
  }
  return true;
}

function satisfiesPodAffinity(s: PreFilterState, nodeInfo: NodeInfo): boolean {
  const labels = nodeInfo.node?.metadata?.labels ?? {};
  let podsExist = true;
  for (const t of s.podInfo.requiredAffinityTerms) {
    const v = labels[t.topologyKey];
    // Every topology label of the terms must exist on the node.
    if (v === undefined) return false;
    if (s.affinityCounts.get(t.topologyKey, v) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: if no pod anywhere matches the terms and
  // the pod matches its own terms, let it in (else such a group would stay pending forever).
  return s.affinityCounts.size === 0 && podMatchesAllTerms(s.podInfo.requiredAffinityTerms, s.podInfo.pod);
}

export function filter(state: CycleState, nodeInfo: NodeInfo): MaybeStatus {
  if (!nodeInfo.node) return Status.error(new Error('node not found'));
  const s = readPreFilterState(state);
  if (s instanceof Status) return s;
  if (!satisfiesPodAffinity(s, nodeInfo)) return Status.unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH);
  if (!satisfiesPodAntiAffinity(s, nodeInfo)) return Status.unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
  if (!satisfiesExistingPodsAntiAffinity(s, nodeInfo)) return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
  return null;
}

/** PreFilterExtensions: keep the counts right while preemption simulates pod removal/addition. */
export function updateState(state: CycleState, pi: PodInfo, nodeInfo: NodeInfo, delta: 1 | -1): MaybeStatus {
  const s = readPreFilterState(state);
  if (s instanceof Status) return s;
  s.updateWithPod(pi, nodeInfo, delta);
  return null;
}
