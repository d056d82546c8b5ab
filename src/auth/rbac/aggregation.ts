// Which rules an aggregated ClusterRole holds (upstream pkg/controller/clusterroleaggregation):
// the aggregation controller keeps them, and the API server's bootstrap writes the default
// aggregated roles with them already (so a new cluster's controller has nothing to write).
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { labelSelectorAsSelector, matchesLabels } from '../../api/selectors/labels.js';

/** PolicyRule's list fields, in the Go struct's order. */
export const ruleFields = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const;

const sameStrings = (a: readonly string[] | null | undefined, b: readonly string[] | null | undefined): boolean => {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** equality.Semantic.DeepEqual on PolicyRules: order matters, a missing list equals an empty one. */
export function ruleEquals(a: PolicyRule, b: PolicyRule): boolean {
  return ruleFields.every((f) => sameStrings(a[f], b[f]));
}

/** equality.Semantic.DeepEqual on rule lists (a missing list equals an empty one). */
export function rulesEqual(a: readonly PolicyRule[] | null | undefined, b: readonly PolicyRule[] | null | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((r, i) => ruleEquals(r, y[i]));
}

/** Go's string order (bytes of UTF-8), which differs from UTF-16 order only beyond the BMP. */
function compareGoStrings(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

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
      .sort((a, b) => compareGoStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''));
    for (const source of matching) {
      if (source.metadata?.name === name) continue;
      for (const r of source.rules ?? []) {
        if (!out.some((have) => ruleEquals(have, r))) out.push(r);
      }
    }
  }
  return out;
}
