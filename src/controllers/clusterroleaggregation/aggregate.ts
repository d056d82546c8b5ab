// The pure part of ClusterRole aggregation (upstream pkg/controller/clusterroleaggregation): the
// rules themselves are computed in auth/rbac/aggregation.ts; here, the apply request that writes them.
import type { ClusterRole as RbacClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { KubeObject } from '../../api/object.js';
import { ruleFields } from '../../auth/rbac/aggregation.js';

export { aggregatedRules, ruleEquals, rulesEqual } from '../../auth/rbac/aggregation.js';

export type ClusterRole = RbacClusterRole & KubeObject;

/**
 * A rule as upstream's PolicyRuleApplyConfiguration serializes it: the Go field order, and
 * empty lists left out (omitempty).
 */
export function toApplyRule(r: PolicyRule): PolicyRule {
  const out: Record<string, string[]> = {};
  for (const f of ruleFields) {
    const v = r[f];
    if (v && v.length > 0) out[f] = [...v];
  }
  return out as unknown as PolicyRule;
}

/**
 * The server-side apply intent upstream sends: name and rules only. With no rules the field is
 * left out (WithRules() of nothing keeps it nil), so the apply drops the controller's rules.
 */
export function applyIntent(name: string, rules: readonly PolicyRule[]): ClusterRole {
  const intent: ClusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name } };
  if (rules.length > 0) intent.rules = rules.map(toApplyRule);
  return intent;
}
