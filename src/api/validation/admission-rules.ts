// The matching part of admission registration as upstream validates it
// (pkg/apis/admissionregistration/validation): a policy's matchConstraints or a binding's
// matchResources, their named rules with operations, and the rule itself (groups, versions,
// resources with their subresource wildcards, scope). Lists are checked as Go sees them: a JSON
// null or an absent list is an empty one.
import { asArray, asObject, asString, child, duplicate, index, invalid, notSupported, required, type Errors } from './field.js';
import { isValidPathSegmentName } from './names.js';
import { validateLabelSelector } from './selector.js';

// upstream passes sets, so the supported values are listed sorted.
const scopes = ['*', 'Cluster', 'Namespaced'];
const operations = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const matchPolicies = ['Equivalent', 'Exact'];

const strings = (v: unknown): string[] => asArray(v).map(asString);
const isSet = (v: unknown) => v !== undefined && v !== null;

/** Resources with subresources: "*" and "x/*" and "*\/x" may not overlap what else is listed. */
function validateResources(resources: string[], path: string): Errors {
  const errs: Errors = [];
  if (resources.length === 0) errs.push(required(path));
  const allSubresourcesOf = new Set<string>();
  const ofAllResources = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let plainResource = false;
  resources.forEach((entry, i) => {
    if (entry === '') {
      errs.push(required(index(path, i)));
      return;
    }
    if (entry === '*/*') doubleWildcard = true;
    if (entry === '*') singleWildcard = true;
    const slash = entry.indexOf('/');
    if (slash < 0) {
      // Upstream assigns rather than accumulates: only the last resource without a
      // subresource decides, so ["pods", "*"] passes where ["*", "pods"] does not.
      plainResource = entry !== '*';
      return;
    }
    const res = entry.slice(0, slash);
    const sub = entry.slice(slash + 1);
    if (allSubresourcesOf.has(res)) errs.push(invalid(index(path, i), entry, `if '${res}/*' is present, must not specify ${entry}`));
    if (ofAllResources.has(sub)) errs.push(invalid(index(path, i), entry, `if '*/${sub}' is present, must not specify ${entry}`));
    if (sub === '*') allSubresourcesOf.add(res);
    if (res === '*') ofAllResources.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) errs.push(invalid(path, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && plainResource) errs.push(invalid(path, resources, "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

function validateRule(rule: Record<string, unknown>, path: string): Errors {
  const errs: Errors = [];
  const groups = strings(rule.apiGroups);
  const groupsPath = child(path, 'apiGroups');
  if (groups.length === 0) errs.push(required(groupsPath));
  if (groups.length > 1 && groups.includes('*')) errs.push(invalid(groupsPath, groups, "if '*' is present, must not specify other API groups"));
  const versions = strings(rule.apiVersions);
  const versionsPath = child(path, 'apiVersions');
  if (versions.length === 0) errs.push(required(versionsPath));
  if (versions.length > 1 && versions.includes('*')) errs.push(invalid(versionsPath, versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (v === '') errs.push(required(index(versionsPath, i)));
  });
  errs.push(...validateResources(strings(rule.resources), child(path, 'resources')));
  if (isSet(rule.scope) && !scopes.includes(asString(rule.scope))) errs.push(notSupported(child(path, 'scope'), rule.scope, scopes));
  return errs;
}

/** RuleWithOperations: the operations, then the rule they apply to (upstream checks webhook rules with it too). */
export function validateRuleWithOperations(rule: Record<string, unknown>, path: string): Errors {
  const errs: Errors = [];
  const ops = strings(rule.operations);
  const opsPath = child(path, 'operations');
  if (ops.length === 0) errs.push(required(opsPath));
  if (ops.length > 1 && ops.includes('*')) errs.push(invalid(opsPath, ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!operations.includes(op)) errs.push(notSupported(index(opsPath, i), op, operations));
  });
  errs.push(...validateRule(rule, path));
  return errs;
}

function validateNamedRuleWithOperations(rule: Record<string, unknown>, path: string): Errors {
  const errs: Errors = [];
  const namesPath = child(path, 'resourceNames');
  const seen = new Set<string>();
  strings(rule.resourceNames).forEach((name, i) => {
    for (const msg of isValidPathSegmentName(name)) errs.push(invalid(index(namesPath, i), name, msg));
    if (seen.has(name)) errs.push(duplicate(index(namesPath, i), name));
    seen.add(name);
  });
  errs.push(...validateRuleWithOperations(rule, path));
  return errs;
}

/**
 * MatchResources. matchPolicy and both selectors are required because defaulting fills them:
 * only an object validated without its defaults lacks them.
 */
export function validateMatchResources(value: unknown, path: string): Errors {
  const match = asObject(value);
  const errs: Errors = [];
  const policyPath = child(path, 'matchPolicy');
  if (!isSet(match.matchPolicy)) errs.push(required(policyPath));
  else if (!matchPolicies.includes(asString(match.matchPolicy))) errs.push(notSupported(policyPath, match.matchPolicy, matchPolicies));
  for (const selector of ['namespaceSelector', 'objectSelector']) {
    // Selectors of this API are checked strictly: it postdates the leniency for invalid label values.
    if (!isSet(match[selector])) errs.push(required(child(path, selector)));
    else errs.push(...validateLabelSelector(match[selector], child(path, selector)));
  }
  for (const list of ['resourceRules', 'excludeResourceRules']) {
    asArray(match[list]).forEach((rule, i) => errs.push(...validateNamedRuleWithOperations(asObject(rule), index(child(path, list), i))));
  }
  return errs;
}
