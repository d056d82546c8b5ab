// RBAC rule comparison, as upstream's component-helpers/auth/rbac/validation/policy_comparator.go
// (Covers, BreakdownRule, ruleCovers) and pkg/registry/rbac/validation/policy_compact.go
// (CompactRules). covers() is the escalation check for Role/ClusterRole writes and bindings; the
// missing rules it returns are compacted for the error text and for SelfSubjectRulesReview.
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';

const ALL = '*';

/**
 * Whether the owner rules allow everything the servant rules allow. Each servant rule is broken
 * down to one group/resource/verb(/name) or URL/verb tuple, which a single owner rule either covers
 * or not; the tuples no owner rule covers come back as `missing`.
 */
export function covers(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const servantRule of servant) {
    for (const subrule of breakdownRule(servantRule)) {
      if (!owner.some((ownerRule) => ruleCovers(ownerRule, subrule))) missing.push(subrule);
    }
  }
  return { covered: missing.length === 0, missing };
}

/**
 * An equivalent list of rules with at most one verb, group, resource and resource name each:
 * groups × resources × verbs (× names), then non-resource URLs × verbs (URLs combine only with verbs).
 */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const subrules: PolicyRule[] = [];
  const verbs = rule.verbs ?? [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of verbs) {
        if (rule.resourceNames !== undefined && rule.resourceNames.length > 0) {
          for (const name of rule.resourceNames) subrules.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] });
        } else {
          subrules.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of verbs) subrules.push({ verbs: [verb], nonResourceURLs: [url] });
  }
  return subrules;
}

/**
 * Whether ownerRule (any shape) covers subRule (at most one of each field, as breakdownRule makes).
 * A "*" in the owner covers anything, but the servant's "*" is only covered by the owner's "*";
 * "*\/scale" covers "deployments/scale"; an owner limited to resourceNames never covers a servant
 * that is not; non-resource URLs follow nonResourceURLCovers.
 */
export function ruleCovers(ownerRule: PolicyRule, subRule: PolicyRule): boolean {
  const verbOK = has(ownerRule.verbs, ALL) || hasAll(ownerRule.verbs, subRule.verbs);
  const groupOK = has(ownerRule.apiGroups, ALL) || hasAll(ownerRule.apiGroups, subRule.apiGroups);
  const resourceOK = resourceCoversAll(ownerRule.resources, subRule.resources);
  const urlOK = nonResourceURLsCoverAll(ownerRule.nonResourceURLs, subRule.nonResourceURLs);
  const ownerNames = ownerRule.resourceNames ?? [];
  const subNames = subRule.resourceNames ?? [];
  const nameOK = subNames.length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, subNames);
  return verbOK && groupOK && resourceOK && nameOK && urlOK;
}

/** An owner URL covers the same URL, or, ending in "*", every URL starting with it minus its trailing stars. */
export function nonResourceURLCovers(ownerPath: string, subPath: string): boolean {
  if (ownerPath === subPath) return true;
  if (!ownerPath.endsWith('*')) return false;
  let end = ownerPath.length;
  while (end > 0 && ownerPath.charCodeAt(end - 1) === 42) end--;
  return subPath.startsWith(ownerPath.slice(0, end));
}

function has(set: readonly string[] | undefined, element: string): boolean {
  return set !== undefined && set.includes(element);
}

function hasAll(set: readonly string[] | undefined, contains: readonly string[] | undefined): boolean {
  if (contains === undefined || contains.length === 0) return true;
  if (set === undefined) return false;
  for (const element of contains) if (!set.includes(element)) return false;
  return true;
}

function resourceCoversAll(set: readonly string[] | undefined, coversResources: readonly string[] | undefined): boolean {
  if (has(set, ALL) || hasAll(set, coversResources)) return true;
  for (const path of coversResources ?? []) {
    if (has(set, path)) continue;
    // not a subresource: only an exact match or "*" covers it
    const slash = path.indexOf('/');
    if (slash < 0) return false;
    if (!has(set, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

function nonResourceURLsCoverAll(set: readonly string[] | undefined, coversURLs: readonly string[] | undefined): boolean {
  for (const path of coversURLs ?? []) {
    if (!(set ?? []).some((owner) => nonResourceURLCovers(owner, path))) return false;
  }
  return true;
}

/**
 * Merges the rules that name one group and one resource (and at most one resource name) and
 * differ only in verbs, appending their verbs in order (duplicates kept, as upstream). Other
 * rules pass through unchanged and first; merged rules follow in first-seen order (upstream's
 * map order is random). The input is not modified.
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const key = simpleResourceKey(rule);
    if (key === undefined) {
      compacted.push(rule);
      continue;
    }
    const existing = simple.get(key);
    if (existing === undefined) {
      simple.set(key, copyRule(rule));
    } else {
      if (existing.verbs === undefined) existing.verbs = [];
      if (rule.verbs !== undefined) existing.verbs.push(...rule.verbs);
    }
  }
  for (const rule of simple.values()) compacted.push(rule);
  return compacted;
}

/**
 * Upstream isSimpleResourceRule: verbs, exactly one group and one resource, at most one resource
 * name, no URLs. The key is group, resource and (when present) the name; a rule with an empty
 * resourceNames list groups with one that has none, as upstream's key does.
 */
function simpleResourceKey(rule: PolicyRule): string | undefined {
  const names = rule.resourceNames;
  if ((names !== undefined && names.length > 1) || (rule.nonResourceURLs !== undefined && rule.nonResourceURLs.length > 0)) return undefined;
  if (rule.apiGroups?.length !== 1 || rule.resources?.length !== 1) return undefined;
  const named = names !== undefined && names.length === 1;
  return JSON.stringify([rule.apiGroups[0], rule.resources[0], named, named ? names[0] : '']);
}

/** A deep copy that keeps absent fields absent (Go's DeepCopy keeps nil slices nil). */
function copyRule(rule: PolicyRule): PolicyRule {
  const copy = { ...rule };
  if (rule.verbs !== undefined) copy.verbs = [...rule.verbs];
  if (rule.apiGroups !== undefined) copy.apiGroups = [...rule.apiGroups];
  if (rule.resources !== undefined) copy.resources = [...rule.resources];
  if (rule.resourceNames !== undefined) copy.resourceNames = [...rule.resourceNames];
  if (rule.nonResourceURLs !== undefined) copy.nonResourceURLs = [...rule.nonResourceURLs];
  return copy;
}
