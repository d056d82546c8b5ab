// Whether a policy's matchConstraints or a binding's matchResources select a request, as
// upstream's policy matching (k8s.io/apiserver/pkg/admission/plugin/policy/matching): the
// namespace and object selectors, excludeResourceRules, then resourceRules with their
// resourceNames. A selector that cannot be evaluated (a namespace not found, a selector that does
// not parse) is an error only for a request the rules select, as upstream.
//
// matchPolicy Equivalent is not applied to policies: a rule must name the requested version (the
// webhooks' Equivalent matching is webhook/equivalent.ts; policies would need it in the
// synchronous path, with conversions that may call a CRD's conversion webhook).
import type { MatchResources, NamedRuleWithOperations } from 'kubernetes-types/admissionregistration/v1.js';
import type { StatusError } from '../../../api/status.js';
import { attempt, namespaceSelectorMatches, objectSelectorMatches, ruleMatches, type WebhookRule } from '../webhook/matching.js';
import type { WebhookRequest } from '../webhook/types.js';

export type MatchOutcome = { matches: boolean } | { error: StatusError };

/** A missing MatchResources (a binding without matchResources) selects everything. */
export function matchResources(mr: MatchResources | undefined, req: WebhookRequest): MatchOutcome {
  if (!mr) return { matches: true };
  const ns = attempt(() => namespaceSelectorMatches(mr, req));
  if (ns === false) return { matches: false };
  const obj = attempt(() => objectSelectorMatches(mr, req));
  if (obj === false) return { matches: false };
  if (namedRulesMatch(mr.excludeResourceRules, req)) return { matches: false };
  if (mr.resourceRules?.length && !namedRulesMatch(mr.resourceRules, req)) return { matches: false };
  if (ns !== true) return { error: ns };
  if (obj !== true) return { error: obj };
  return { matches: true };
}

/** A rule matches when its resourceNames are empty or name the request's object. */
function namedRulesMatch(rules: readonly NamedRuleWithOperations[] | undefined, req: WebhookRequest): boolean {
  for (const rule of rules ?? []) {
    if (!ruleMatches(rule as WebhookRule, req)) continue;
    if (!rule.resourceNames?.length || rule.resourceNames.includes(req.name)) return true;
  }
  return false;
}
