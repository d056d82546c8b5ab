// How an affinity term matches a pod (upstream framework.AffinityTerm.Matches): the pod's
// namespace is one of the term's namespaces, or the term's namespaceSelector matches the labels
// of the pod's namespace; and the term's label selector matches the pod's labels.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matchesLabels, requirementMatches, type Selector } from '../../../api/selectors/labels.js';
import type { AffinityTerm } from '../../framework/pod-info.js';

/** Labels of a namespace; undefined when unknown (only an `everything` namespaceSelector then matches). */
export type NamespaceLabels = Record<string, string> | undefined;

export function termMatches(term: AffinityTerm, pod: Pod, nsLabels: NamespaceLabels): boolean {
  const ns = pod.metadata?.namespace ?? '';
  const inNamespace = term.namespaces.has(ns) || (term.namespaceSelector !== undefined && matchesLabels(term.namespaceSelector, nsLabels));
  return inNamespace && selects(term.selector, pod.metadata?.labels);
}

/** matchesLabels without a closure per call: this runs once per existing pod per term in PreFilter. */
function selects(selector: Selector, labels: Record<string, string> | undefined): boolean {
  if (selector.nothing) return false;
  const reqs = selector.requirements;
  for (let i = 0; i < reqs.length; i++) if (!requirementMatches(reqs[i]!, labels)) return false;
  return true;
}

/**
 * True iff `pod` matches every term (and there is at least one). The incoming pod's terms have
 * their namespaceSelector already folded into `namespaces` (see namespaces.ts), so no labels are
 * needed; an `everything` namespaceSelector still matches every namespace.
 */
export function podMatchesAllTerms(terms: readonly AffinityTerm[], pod: Pod): boolean {
  if (terms.length === 0) return false;
  return terms.every((t) => termMatches(t, pod, undefined));
}
