// Required inter-pod affinity and anti-affinity (upstream interpodaffinity/filtering.go).
// PreFilter counts, per topology pair, (1) existing pods whose required anti-affinity terms match
// the incoming pod, (2) existing pods matching all of the incoming pod's affinity terms and
// (3) existing pods matching each of its anti-affinity terms. Filter then answers per node from
// the counts alone. Preemption adds/removes pods through addPod/removePod on a cloned state.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { newPodInfo, type AffinityTerm, type PodInfo } from '../../framework/pod-info.js';
import { Code, Status, type MaybeStatus } from '../../framework/status.js';
import type { NodeInfoLister } from '../../framework/types.js';
import { mergeNamespaceSelector, type NamespaceLister } from './namespaces.js';
import { podMatchesAllTerms, termMatches, type NamespaceLabels } from './terms.js';
import type { PairIndexes, SharedCounts, Versioned } from './pair-index.js';
import { allTermsContribution, eachTermContribution, existingAntiAffinityContribution, termsKey } from './term-contributions.js';
import { TopologyCounts } from './topology-counts.js';

export const PRE_FILTER_STATE_KEY = 'PreFilterInterPodAffinity';

export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
// (The plugin's name as a literal: plugin.ts imports this module.)
const AFFINITY_RULES_NOT_MATCH = Status.shared(Code.UnschedulableAndUnresolvable, ERR_REASON_AFFINITY_RULES_NOT_MATCH, 'InterPodAffinity');
const ANTI_AFFINITY_RULES_NOT_MATCH = Status.shared(Code.Unschedulable, ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH, 'InterPodAffinity');
const EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = Status.shared(Code.Unschedulable, ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH, 'InterPodAffinity');

/** No pairs: what a pod without terms of a kind gets (never changed: updateWithPod copies first). */
const emptyCounts = (): SharedCounts => ({ counts: new TopologyCounts(), source: undefined, version: 0 });

export class PreFilterState {
  private existing: TopologyCounts;
  private affinity: TopologyCounts;
  private antiAffinity: TopologyCounts;
  /** Indexes the counts belong to (pair-index.ts), with their versions when read; empty once the counts are this state's own. */
  private sources: { source: Versioned; version: number }[] = [];
  /** The shared counts had changed when this state (a clone) copied them. */
  private stale = false;

  constructor(
    /** Existing pods whose required anti-affinity terms match the incoming pod. */
    existing: TopologyCounts | SharedCounts,
    /** Existing pods matching all the incoming pod's required affinity terms. */
    affinity: TopologyCounts | SharedCounts,
    /** Existing pods matching the incoming pod's required anti-affinity terms (per term). */
    antiAffinity: TopologyCounts | SharedCounts,
    /** The incoming pod with its namespaceSelectors resolved; shared by clones (never mutated). */
    readonly podInfo: PodInfo,
    /** The incoming pod's namespace labels, for existing pods' namespaceSelector terms. */
    readonly namespaceLabels: NamespaceLabels,
  ) {
    const own = (c: TopologyCounts | SharedCounts): TopologyCounts => {
      if (c instanceof TopologyCounts) return c;
      if (c.source) this.sources.push({ source: c.source, version: c.version });
      return c.counts;
    };
    this.existing = own(existing);
    this.affinity = own(affinity);
    this.antiAffinity = own(antiAffinity);
  }

  get existingAntiAffinityCounts(): TopologyCounts {
    return this.existing;
  }

  get affinityCounts(): TopologyCounts {
    return this.affinity;
  }

  get antiAffinityCounts(): TopologyCounts {
    return this.antiAffinity;
  }

  /**
   * Whether the counts are still those of this state's cycle. Shared counts are valid until the
   * plugin's next PreFilter changes them; the framework reads a state only within its cycle.
   */
  current(): boolean {
    if (this.stale) return false;
    for (const s of this.sources) if (s.source.version !== s.version) return false;
    return true;
  }

  clone(): PreFilterState {
    const c = new PreFilterState(this.existing.clone(), this.affinity.clone(), this.antiAffinity.clone(), this.podInfo, this.namespaceLabels);
    c.stale = !this.current();
    return c;
  }

  /** Accounts for `pi` appearing (+1) on or disappearing (-1) from `nodeInfo`'s node. */
  updateWithPod(pi: PodInfo, nodeInfo: NodeInfo, delta: 1 | -1): void {
    if (this.sources.length) {
      // The counts belong to an index: change a copy.
      this.stale = !this.current();
      this.existing = this.existing.clone();
      this.affinity = this.affinity.clone();
      this.antiAffinity = this.antiAffinity.clone();
      this.sources = [];
    }
    updateWithAntiAffinityTerms(this.existing, pi.requiredAntiAffinityTerms, this.podInfo.pod, this.namespaceLabels, nodeInfo, delta);
    updateWithAffinityTerms(this.affinity, this.podInfo.requiredAffinityTerms, pi.pod, nodeInfo, delta);
    // The incoming pod's terms have their namespaceSelector merged into names: no labels needed.
    updateWithAntiAffinityTerms(this.antiAffinity, this.podInfo.requiredAntiAffinityTerms, pi.pod, undefined, nodeInfo, delta);
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

/**
 * Upstream PreFilter. The three counts come from pair indexes kept across cycles (pair-index.ts):
 * existing pods' anti-affinity per (namespace, labels, namespace labels) of the incoming pod over
 * the nodes with such pods; the incoming pod's affinity and anti-affinity per distinct terms over
 * all nodes.
 */
export function preFilter(state: CycleState, pod: Pod, lister: NodeInfoLister, namespaces: NamespaceLister, indexes: { existing: PairIndexes; terms: PairIndexes }): MaybeStatus {
  // The common case, decided before any work: no pod anywhere has required anti-affinity and
  // this one has no pod (anti-)affinity at all (so no terms to parse, nor to get wrong), which
  // is the Skip below with all three counts empty.
  const a = pod.spec?.affinity;
  if (!a?.podAffinity && !a?.podAntiAffinity && lister.havePodsWithRequiredAntiAffinityList().length === 0) return Status.skip();
  const podInfo = resolvedPodInfo(pod, namespaces);
  const ns = pod.metadata?.namespace ?? '';
  const namespaceLabels = namespaces.labels(ns);

  const existingKey = `existing\0${ns}\0${JSON.stringify(pod.metadata?.labels)}\0${JSON.stringify(namespaceLabels)}`;
  const withAnti = lister.havePodsWithRequiredAntiAffinityList();
  const existing = withAnti.length ? indexes.existing.counts(existingKey, 'subset', () => existingAntiAffinityContribution(pod, namespaceLabels), withAnti) : emptyCounts();

  const { requiredAffinityTerms: affinityTerms, requiredAntiAffinityTerms: antiTerms } = podInfo;
  const affinity = affinityTerms.length
    ? indexes.terms.counts(`affinity\0${termsKey(affinityTerms)}`, 'all', () => allTermsContribution(affinityTerms), lister.list())
    : emptyCounts();
  const antiAffinity = antiTerms.length
    ? indexes.terms.counts(`anti\0${termsKey(antiTerms)}`, 'all', () => eachTermContribution(antiTerms), lister.list())
    : emptyCounts();

  if (existing.counts.size === 0 && affinityTerms.length === 0 && antiTerms.length === 0) return Status.skip();
  state.write(PRE_FILTER_STATE_KEY, new PreFilterState(existing, affinity, antiAffinity, podInfo, namespaceLabels));
  return null;
}

export function readPreFilterState(state: CycleState): PreFilterState | Status {
  const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
  if (!(s instanceof PreFilterState)) return Status.error(new Error(`reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`));
  if (!s.current()) return Status.error(new Error(`"${PRE_FILTER_STATE_KEY}" is from an earlier scheduling cycle: its counts have changed since`));
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
  if (!satisfiesPodAffinity(s, nodeInfo)) return AFFINITY_RULES_NOT_MATCH;
  if (!satisfiesPodAntiAffinity(s, nodeInfo)) return ANTI_AFFINITY_RULES_NOT_MATCH;
  if (!satisfiesExistingPodsAntiAffinity(s, nodeInfo)) return EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH;
  return null;
}

/** PreFilterExtensions: keep the counts right while preemption simulates pod removal/addition. */
export function updateState(state: CycleState, pi: PodInfo, nodeInfo: NodeInfo, delta: 1 | -1): MaybeStatus {
  const s = readPreFilterState(state);
  if (s instanceof Status) return s;
  s.updateWithPod(pi, nodeInfo, delta);
  return null;
}
