// Which rules an aggregated ClusterRole holds (upstream pkg/controller/clusterroleaggregation):
// the aggregation controller keeps them, and the API server's bootstrap writes the default
// aggregated roles with them already (so a new cluster's controller has nothing to write).
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { labelSelectorAsSelector, matchesLabels } from '../../api/selectors/labels.js';
import { semanticEqual } from './bootstrap/reconcile.js';
// Go's string order: the bytes of UTF-8, as storage keys are ordered.
import { compareKeys } from '../../storage/keys.js';

/** PolicyRule's list fields, in the Go struct's order. */
export const ruleFields = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const;

/** equality.Semantic.DeepEqual on PolicyRules: list order matters, a missing list equals an empty one. */
export const ruleEquals = (a: PolicyRule, b: PolicyRule): boolean => semanticEqual(a, b);

/** equality.Semantic.DeepEqual on rule lists (a missing list equals an empty one). */
export const rulesEqual = (a: readonly PolicyRule[] | null | undefined, b: readonly PolicyRule[] | null | undefined): boolean => semanticEqual(a, b);

/**
 * The rules `role` aggregates from `all` (the informer's ClusterRoles): for each of its
 * clusterRoleSelectors in order, the matching ClusterRoles other than itself sorted by name, and
 * each of their rules appended unless an equal rule is already there. Undefined when the role
 * has no aggregationRule. Throws (400) on a selector that is not valid, as upstream's sync fails.
 */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] | undefined {
  const rule = role.aggregationRule;
  if (!rule) return undefined;
  const name = role.metadata?.name;
  const out: PolicyRule[] = [];
  for (const labelSelector of rule.clusterRoleSelectors ?? []) {
    const selector = labelSelectorAsSelector(labelSelector);
    const matching = all
      .filter((r) => matchesLabels(selector, r.metadata?.labels))
      .sort((a, b) => compareKeys(a.metadata?.name ?? '', b.metadata?.name ?? ''));
    for (const source of matching) {
      if (source.metadata?.name === name) continue;
      for (const r of source.rules ?? []) {
        if (!out.some((have) => ruleEquals(have, r))) out.push(r);
      }
    }
  }
  return out;
}
