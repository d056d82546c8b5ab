// Whether a policy's matchConstraints or a binding's matchResources select a request, as
// upstream's policy matching (k8s.io/apiserver/pkg/admission/plugin/policy/matching): the
// namespace and object selectors, excludeResourceRules, then resourceRules with their
// resourceNames. A selector that cannot be evaluated (a namespace not found, a selector that does
// not parse) is an error only for a request the rules select, as upstream.
//
// matchPolicy Equivalent (the v1 default; an unset matchPolicy is Exact, as upstream): when no
// rule names the requested version, each rule in turn is tried against the other versions the
// same objects are served under (webhook/equivalent.ts's equivalentEntries, in registration
// order), for excludeResourceRules as for resourceRules. For a policy's matchConstraints the
// version that matched is the one its expressions see (the plugin converts the objects to it;
// `request.kind`/`resource` name it, `requestKind`/`requestResource` the requested one); a
// binding's matchResources only decide whether it applies.
import type { MatchResources, NamedRuleWithOperations } from 'kubernetes-types/admissionregistration/v1.js';
import type { StatusError } from '../../../api/status.js';
import type { ResourceEntry } from '../../registry/resource-entry.js';
import { equivalentRequest, type MatchedRequest } from '../webhook/equivalent.js';
import { attempt, namespaceSelectorMatches, objectSelectorMatches, ruleMatches, type WebhookRule } from '../webhook/matching.js';
import type { WebhookRequest } from '../webhook/types.js';

/** Matched through an equivalent version: `equivalent` is how (its request and entry). */
export type MatchOutcome = { matches: boolean; equivalent?: Required<MatchedRequest> } | { error: StatusError };

const noEquivalents = (): readonly ResourceEntry[] => [];

/** A missing MatchResources (a binding without matchResources) selects everything. */
export function matchResources(mr: MatchResources | undefined, req: WebhookRequest, equivalents: () => readonly ResourceEntry[] = noEquivalents): MatchOutcome {
  if (!mr) return { matches: true };
  const ns = attempt(() => namespaceSelectorMatches(mr, req));
  if (ns === false) return { matches: false };
  const obj = attempt(() => objectSelectorMatches(mr, req));
  if (obj === false) return { matches: false };
  const others = mr.matchPolicy === 'Equivalent' ? equivalents : noEquivalents;
  if (namedRulesMatch(mr.excludeResourceRules, req, others)) return { matches: false };
  let matched: MatchedRequest | undefined = { request: req };
  if (mr.resourceRules?.length) matched = namedRulesMatch(mr.resourceRules, req, others);
  if (!matched) return { matches: false };
  if (ns !== true) return { error: ns };
  if (obj !== true) return { error: obj };
  return matched.entry ? { matches: true, equivalent: { request: matched.request, entry: matched.entry } } : { matches: true };
}

/**
 * The first rule that selects the request as it is; failing that, the first rule and
 * equivalent version (rule by rule) that select it. A rule matches when its resourceNames are
 * empty or name the request's object.
 */
function namedRulesMatch(rules: readonly NamedRuleWithOperations[] | undefined, req: WebhookRequest, equivalents: () => readonly ResourceEntry[]): MatchedRequest | undefined {
  if (!rules?.length) return undefined;
  const named = (rule: NamedRuleWithOperations) => !rule.resourceNames?.length || rule.resourceNames.includes(req.name);
  for (const rule of rules) if (ruleMatches(rule as WebhookRule, req) && named(rule)) return { request: req };
  const others = equivalents();
  if (others.length === 0) return undefined;
  const alternatives = others.map((entry) => ({ entry, request: equivalentRequest(req, entry) }));
  for (const rule of rules) {
    if (!named(rule)) continue;
    for (const alt of alternatives) if (ruleMatches(rule as WebhookRule, alt.request)) return alt;
  }
  return undefined;
}
