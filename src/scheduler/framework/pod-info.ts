// A pod as the scheduler keeps it: the object plus its inter-pod affinity terms parsed once
// (upstream framework.PodInfo). Parsing happens when the pod enters the queue or the cache, so
// Filter/Score never re-parse selectors.
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { labelSelectorAsSelector, type Requirement, type Selector } from '../../api/selectors/labels.js';

export interface AffinityTerm {
  /** Namespaces the term applies to (the pod's own when both lists are empty). */
  namespaces: Set<string>;
  /** Labels of the pods the term matches. */
  selector: Selector;
  topologyKey: string;
  /** When set, namespaces whose labels match are added to `namespaces`; `everything` matches all. */
  namespaceSelector: Selector | undefined;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodInfo {
  pod: Pod;
  requiredAffinityTerms: AffinityTerm[];
  requiredAntiAffinityTerms: AffinityTerm[];
  preferredAffinityTerms: WeightedAffinityTerm[];
  preferredAntiAffinityTerms: WeightedAffinityTerm[];
}

function affinityTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  const namespaceSelector = t.namespaceSelector ? labelSelectorAsSelector(t.namespaceSelector) : undefined;
  if (namespaces.size === 0 && !namespaceSelector) namespaces.add(pod.metadata?.namespace ?? 'default');
  let selector = labelSelectorAsSelector(t.labelSelector ?? null);
  // matchLabelKeys / mismatchLabelKeys (1.31+): add `key in (pod's value)` / `key notin (…)`.
  const labels = pod.metadata?.labels ?? {};
  const extra: Requirement[] = [];
  for (const key of t.matchLabelKeys ?? []) if (key in labels) extra.push({ key, operator: 'in', values: [labels[key]!] });
  for (const key of t.mismatchLabelKeys ?? []) if (key in labels) extra.push({ key, operator: 'notin', values: [labels[key]!] });
  if (extra.length && t.labelSelector) selector = { ...selector, requirements: [...selector.requirements, ...extra] };
  return { namespaces, selector, topologyKey: t.topologyKey, namespaceSelector };
}

const weighted = (pod: Pod, w: WeightedPodAffinityTerm): WeightedAffinityTerm => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight });

/** Shared by the (many) pods without terms of a kind; never mutated. */
const NO_TERMS: never[] = Object.freeze([]) as unknown as never[];

export function newPodInfo(pod: Pod): PodInfo {
  const a = pod.spec?.affinity;
  if (!a?.podAffinity && !a?.podAntiAffinity) {
    return { pod, requiredAffinityTerms: NO_TERMS, requiredAntiAffinityTerms: NO_TERMS, preferredAffinityTerms: NO_TERMS, preferredAntiAffinityTerms: NO_TERMS };
  }
  return {
    pod,
    requiredAffinityTerms: (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    requiredAntiAffinityTerms: (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    preferredAffinityTerms: (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => weighted(pod, t)),
    preferredAntiAffinityTerms: (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => weighted(pod, t)),
  };
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
