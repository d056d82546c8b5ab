// RBAC rule evaluation, as upstream's pkg/apis/rbac/v1/evaluation_helpers.go and the
// RuleAllows/RulesAllow of plugin/pkg/auth/authorizer/rbac/rbac.go, plus the escalation error
// text of pkg/registry/rbac/validation/rule.go (ConfirmNoEscalation). Rule comparison
// (covers, breakdownRule, compactRules) lives in covers.ts and is re-exported here.
//
// ruleAllows runs for every rule visited on every API request, so the matchers neither allocate
// nor use regular expressions: "resource/subresource" and the "*/subresource" and trailing-"*"
// URL forms are compared in place instead of building the combined strings upstream builds.
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { compactRules } from './covers.js';
// Go's sort.Strings order: the bytes of UTF-8, as storage keys are ordered.
import { compareKeys } from '../../storage/keys.js';
import { aggregateText } from '../../api/status.js';

export { breakdownRule, compactRules, covers, nonResourceURLCovers, ruleCovers } from './covers.js';

/** What the authorizer knows of a request (upstream's authorizer.Attributes, minus the user). */
export interface RequestAttributes {
  verb: string;
  isResource: boolean;
  group: string;
  resource: string;
  subresource: string;
  name: string;
  path: string;
  namespace: string;
}

/** rbacv1.VerbAll, APIGroupAll, ResourceAll and NonResourceAll are all "*". */
const ALL = '*';
const STAR = 42; // '*'
const SLASH = 47; // '/'

/** Whether the list holds the value or "*" (upstream's VerbMatches and APIGroupMatches). */
function listAllows(list: readonly string[] | undefined, value: string): boolean {
  if (list === undefined) return false;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v === ALL || v === value) return true;
  }
  return false;
}

export const verbMatches = (rule: PolicyRule, verb: string): boolean => listAllows(rule.verbs, verb);

export const apiGroupMatches = (rule: PolicyRule, group: string): boolean => listAllows(rule.apiGroups, group);

/**
 * Upstream ResourceMatches with the combined resource ("pods/status") kept in two parts: "*" matches
 * everything including subresources, an exact "resource" or "resource/subresource" matches, and
 * "*\/subresource" matches that subresource of any resource. "pods/*" is no wildcard: it matches
 * only itself, so it never grants a real subresource.
 */
export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const resources = rule.resources;
  if (resources === undefined) return false;
  const subLen = subresource.length;
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i];
    if (r === ALL) return true;
    if (subLen === 0) {
      if (r === resource) return true;
      continue;
    }
    // exact "resource/subresource"
    if (r.length === resource.length + 1 + subLen && r.charCodeAt(resource.length) === SLASH && r.startsWith(resource) && r.endsWith(subresource)) return true;
    // "*/subresource"
    if (r.length === subLen + 2 && r.charCodeAt(0) === STAR && r.charCodeAt(1) === SLASH && r.endsWith(subresource)) return true;
  }
  return false;
}

/** No resourceNames means every name (including none); otherwise the request's name must be listed. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames;
  if (names === undefined || names.length === 0) return true;
  for (let i = 0; i < names.length; i++) if (names[i] === name) return true;
  return false;
}

/** "*" matches every path, a URL ending in "*" matches any path starting with it minus its trailing stars. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  const urls = rule.nonResourceURLs;
  if (urls === undefined) return false;
  for (let i = 0; i < urls.length; i++) {
    const u = urls[i];
    if (u === ALL || u === path) return true;
    if (u.length > 0 && u.charCodeAt(u.length - 1) === STAR && hasTrimmedPrefix(path, u)) return true;
  }
  return false;
}

/** strings.HasPrefix(path, strings.TrimRight(pattern, "*")) without building the trimmed string. */
function hasTrimmedPrefix(path: string, pattern: string): boolean {
  let end = pattern.length;
  while (end > 0 && pattern.charCodeAt(end - 1) === STAR) end--;
  if (path.length < end) return false;
  for (let i = 0; i < end; i++) if (path.charCodeAt(i) !== pattern.charCodeAt(i)) return false;
  return true;
}

export function ruleAllows(attrs: RequestAttributes, rule: PolicyRule): boolean {
  if (attrs.isResource) {
    return verbMatches(rule, attrs.verb) &&
      apiGroupMatches(rule, attrs.group) &&
      resourceMatches(rule, attrs.resource, attrs.subresource) &&
      resourceNameMatches(rule, attrs.name);
  }
  return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.path);
}

export function rulesAllow(attrs: RequestAttributes, rules: readonly PolicyRule[]): boolean {
  for (let i = 0; i < rules.length; i++) if (ruleAllows(attrs, rules[i])) return true;
  return false;
}

/**
 * Upstream CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}`,
 * fields in the order APIGroups, Resources, NonResourceURLs, ResourceNames, Verbs, each only when
 * non-empty, every list printed as Go's %q prints a []string.
 */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${goQuoteList(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(rule.resourceNames)}`);
  if (rule.verbs?.length) parts.push(`Verbs:${goQuoteList(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * The Forbidden text of ConfirmNoEscalation: the missing rules (as covers() returns them) are
 * compacted, printed with compactString, de-duplicated and sorted, one a line. resolutionErrors
 * are the messages of the errors met while resolving the user's own rules; upstream wraps them
 * in an aggregate inside a one-element list, hence `[msg]` for one and `[[a, b]]` for several.
 */
export function escalationMessage(user: { username: string; groups: string[] }, missing: PolicyRule[], resolutionErrors?: string[]): string {
  const descriptions = [...new Set(compactRules(missing).map(compactString))].sort(compareKeys);
  let msg = `user ${goQuote(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join('\n')}`;
  if (resolutionErrors !== undefined && resolutionErrors.length > 0) msg += `; resolution errors: [${aggregateText(resolutionErrors)}]`;
  return msg;
}

/** fmt's %q of a []string: `["a" "b"]`. */
function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const SHORT_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/** strconv.Quote (fmt's %q of a string): printable runes as they are, the rest escaped. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate decodes to U+FFFD in Go
    if (cp === 0x22 || cp === 0x5c) out += `\\${String.fromCodePoint(cp)}`;
    else if (cp >= 0x20 && cp < 0x7f) out += String.fromCodePoint(cp);
    else if (SHORT_ESCAPES[cp] !== undefined) out += SHORT_ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (PRINTABLE.test(String.fromCodePoint(cp))) out += String.fromCodePoint(cp);
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
