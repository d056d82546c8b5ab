// Namespace labels for namespaceSelector terms. The incoming pod's terms are resolved once per
// cycle: the namespaces their selector matches now are added to the term's namespaces and the
// selector dropped (upstream mergeAffinityTermNamespacesIfNotEmpty), so Filter and Score compare
// names only. Existing pods' terms keep their selector and are matched against a snapshot of the
// incoming pod's namespace labels taken in PreFilter/PreScore.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.js';
import { isEverything, matchesLabels, type Selector } from '../../../api/selectors/labels.js';
import type { ReadonlyIndexer } from '../../../client/cache/store.js';
import type { AffinityTerm } from '../../framework/pod-info.js';
import type { NamespaceLabels } from './terms.js';

export interface NamespaceLister {
  /** Labels of the namespace, undefined if it is not known. */
  labels(name: string): NamespaceLabels;
  /** Names of the namespaces whose labels the selector matches. */
  namesMatching(selector: Selector): string[];
}

/** A lister over a Namespace informer's store (cluster-scoped: the key is the name). */
export function namespaceListerFromStore(store: ReadonlyIndexer<Namespace & KubeObject>): NamespaceLister {
  return {
    labels: (name) => {
      const ns = store.getByKey(name);
      return ns ? { ...(ns.metadata?.labels ?? {}) } : undefined;
    },
    namesMatching: (selector) => store.list().filter((ns) => matchesLabels(selector, ns.metadata?.labels)).map((ns) => ns.metadata?.name ?? ''),
  };
}

/** A copy of the term with its namespaceSelector resolved into namespace names (an `everything` selector is kept: it matches all). */
export function mergeNamespaceSelector<T extends AffinityTerm>(term: T, lister: NamespaceLister): T {
  const sel = term.namespaceSelector;
  if (!sel || isEverything(sel)) return term;
  const namespaces = new Set(term.namespaces);
  for (const n of lister.namesMatching(sel)) namespaces.add(n);
  return { ...term, namespaces, namespaceSelector: undefined };
}
