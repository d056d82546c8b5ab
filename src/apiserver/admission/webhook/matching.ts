// Whether a webhook is called for a request, as upstream's generic.Webhook.ShouldCallHook with
// the predicates under k8s.io/apiserver/pkg/admission/plugin/webhook (rules, namespace, object)
// and matchconditions.
//
// This matches the request as it is; matchPolicy Equivalent's other versions of the same
// resource are tried by equivalent.ts.
//
// matchConditions are CEL (@marcbachmann/cel-js) with `object`, `oldObject`, `request` and
// `namespaceObject` (null for webhooks) as upstream declares them (src/api/cel/admission-policy.ts).
// Not offered: `authorizer` and `authorizer.requestResource` (an expression naming them does not
// compile here), and the cost budget. Compile errors carry the CEL library's wording, not cel-go's.
import { compilePolicyExpression, evaluatePolicyExpression, type CompiledExpression, type PolicyScope } from '../../../api/cel/admission-policy.js';
import { celValue } from '../../../api/crd/cel-validation.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { RuleWithOperations } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../api/object.js';
import { everything, isEverything, labelSelectorAsSelector, matchesLabels, type Selector } from '../../../api/selectors/labels.js';
import { aggregateText, internalError, notFound, StatusError } from '../../../api/status.js';
import { admissionRequestFields } from './review.js';
import type { Webhook, WebhookRequest } from './types.js';

/** Configuration kinds upstream never sends to webhooks, so that a webhook cannot lock them. */
const exemptKinds = new Set([
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
]);

/** rules.IsExemptAdmissionConfigurationResource. */
export function isExemptAdmissionConfigurationResource(req: WebhookRequest): boolean {
  return (req.kindGroup ?? req.group) === 'admissionregistration.k8s.io' && exemptKinds.has(req.kind);
}

/**
 * ShouldCallHook without the matchConditions: the namespaceSelector, the objectSelector, then
 * the rules. An exempt configuration resource matches no webhook.
 *
 * Throws where upstream fails the request instead of skipping the webhook, only once a rule
 * matched (upstream never errors for a webhook that does not apply): 404 for a namespaced
 * request without namespaceLabels (its namespace does not exist) under a non-empty
 * namespaceSelector, 500 for a selector that does not parse.
 */
export function webhookMatches(w: Webhook, req: WebhookRequest): boolean {
  if (isExemptAdmissionConfigurationResource(req)) return false;
  const ns = attempt(() => namespaceSelectorMatches(w, req));
  if (ns === false) return false;
  const obj = attempt(() => objectSelectorMatches(w, req));
  if (obj === false) return false;
  if (!((w.rules ?? []) as WebhookRule[]).some((r) => ruleMatches(r, req))) return false;
  if (ns instanceof StatusError) throw ns;
  if (obj instanceof StatusError) throw obj;
  return true;
}

export function attempt(f: () => boolean): boolean | StatusError {
  try {
    return f();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
}

// ---- rules (predicates/rules) ----

const exactOrWildcard = (items: readonly string[] | undefined, requested: string) => (items ?? []).some((i) => i === '*' || i === requested);

/** Upstream compares the full group/version/resource: only core v1 namespaces are Namespaces. */
const isNamespaceResource = (req: WebhookRequest) => req.group === '' && req.version === 'v1' && req.resource === 'namespaces';

/** kubernetes-types leaves out the fields RuleWithOperations inlines from Rule. */
export type WebhookRule = RuleWithOperations & { resources?: string[]; scope?: string };

export function ruleMatches(rule: WebhookRule, req: WebhookRequest): boolean {
  return scopeMatches(rule.scope, req) && exactOrWildcard(rule.operations, req.operation) && exactOrWildcard(rule.apiGroups, req.group) && exactOrWildcard(rule.apiVersions, req.version) && resourceMatches(rule.resources, req);
}

/** A Namespace is cluster-scoped even though upstream's attributes give it a namespace (its own name). */
function scopeMatches(scope: string | undefined, req: WebhookRequest): boolean {
  switch (scope ?? '*') {
    case '*':
      return true;
    case 'Namespaced':
      return !isNamespaceResource(req) && req.namespace !== '';
    case 'Cluster':
      return isNamespaceResource(req) || req.namespace === '';
    default:
      return false;
  }
}

/** "pods", "pods/status", "pods/*", "*" (no subresources), "*\/status", "*\/*". */
function resourceMatches(resources: readonly string[] | undefined, req: WebhookRequest): boolean {
  return (resources ?? []).some((entry) => {
    const slash = entry.indexOf('/');
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const sub = slash < 0 ? '' : entry.slice(slash + 1);
    return (res === '*' || res === req.resource) && (sub === '*' || sub === req.subresource);
  });
}

// ---- selectors (predicates/namespace, predicates/object) ----

// Webhook configurations are few and long-lived: parse each selector once.
const parsed = new WeakMap<LabelSelector, Selector | StatusError>();

/**
 * An absent selector selects everything here (upstream defaults it to {} when the configuration
 * is written). A selector that does not parse is upstream's 500 with the parser's message.
 */
function selectorOf(ls: LabelSelector | undefined): Selector {
  if (!ls) return everything;
  let s = parsed.get(ls);
  if (!s) {
    try {
      s = labelSelectorAsSelector(ls);
    } catch (err) {
      s = internalError((err as Error).message);
    }
    parsed.set(ls, s);
  }
  if (s instanceof StatusError) throw s;
  return s;
}

const labelsOf = (o: KubeObject | undefined) => o?.metadata?.labels;

/** What carries the two selectors: a webhook, or a policy's or binding's MatchResources. */
export interface SelectorsOf {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

/**
 * A cluster-scoped request always matches, except for Namespaces themselves, whose own labels
 * count: the new object's on a create or update of the namespace (not of a subresource), else
 * the stored namespace's (namespaceLabels when given, else oldObject's).
 */
export function namespaceSelectorMatches(w: SelectorsOf, req: WebhookRequest): boolean {
  const ownNamespace = req.resource === 'namespaces';
  if (req.namespace === '' && !ownNamespace) return true;
  const selector = selectorOf(w.namespaceSelector);
  if (isEverything(selector)) return true;
  let labels: Record<string, string> | undefined;
  if (ownNamespace && !req.subresource && (req.operation === 'CREATE' || req.operation === 'UPDATE')) labels = labelsOf(req.object);
  else if (req.namespaceLabels) labels = req.namespaceLabels;
  else if (ownNamespace) labels = labelsOf(req.oldObject ?? req.object);
  else throw notFound({ group: '', resource: 'namespaces' }, req.namespace);
  return matchesLabels(selector, labels);
}

/** The object's labels or the old object's: either selected is enough (a label being removed still matches). */
export function objectSelectorMatches(w: SelectorsOf, req: WebhookRequest): boolean {
  const selector = selectorOf(w.objectSelector);
  if (isEverything(selector)) return true;
  return [req.object, req.oldObject].some((o) => o !== undefined && matchesLabels(selector, labelsOf(o)));
}

// ---- matchConditions (matchconditions/matcher.go) ----

/** The declarations upstream gives webhook match conditions: no params, no variables. */
const noParams: PolicyScope = { params: false, variables: [] };

/** Needs loadCEL() when the webhook has match conditions. */
export function evaluateMatchConditions(w: Webhook, req: WebhookRequest): { matched: boolean } | { error: string } {
  const conditions = w.matchConditions ?? [];
  if (conditions.length === 0) return { matched: true };
  const compiled = conditions.map((c) => ({ expression: c.expression, compiled: compilePolicyExpression(c.expression, 'matchCondition', noParams) }));
  return matchConditionsOutcome(compiled, celVariables(req), w.failurePolicy === 'Ignore');
}

/**
 * Match conditions (a webhook's or a policy's), in order, as upstream's matchconditions matcher
 * decides: a condition that is false skips the hook, even when another failed to evaluate.
 * Otherwise failures decide by the failurePolicy: Ignore skips the hook, Fail returns the errors
 * (Go's aggregate: one message, or `[a, b]`), for which upstream fails the request.
 */
export function matchConditionsOutcome(conditions: readonly { expression: string; compiled: CompiledExpression }[], activation: Record<string, unknown>, ignore: boolean): { matched: boolean } | { error: string } {
  const errors: string[] = [];
  for (const c of conditions) {
    const r = evaluatePolicyExpression(c.compiled, c.expression, activation);
    if ('error' in r) errors.push(r.error);
    else if (r.value === false) return { matched: false };
  }
  if (errors.length === 0) return { matched: true };
  if (ignore) return { matched: false };
  return { error: aggregateText(errors) };
}

/**
 * What upstream answers when match conditions fail to evaluate under failurePolicy Fail:
 * apierrors.NewForbidden for the request's resource and name, e.g.
 * `pods "web" is forbidden: expression '...' resulted in error: ...` (not a call failure: no 500).
 */
export function matchConditionsFailure(req: WebhookRequest, error: string): StatusError {
  const qualified = req.group ? `${req.resource}.${req.group}` : req.resource;
  const message = req.name ? `${qualified} ${JSON.stringify(req.name)} is forbidden: ${error}` : `${qualified} is forbidden: ${error}`;
  return new StatusError(403, 'Forbidden', message, { name: req.name || undefined, group: req.group || undefined, kind: req.resource });
}

/** Upstream's activation: object, oldObject (null when absent), the AdmissionRequest without uid or objects, and no namespaceObject (a policy sets it). */
export function celVariables(req: WebhookRequest): Record<string, unknown> {
  const request = admissionRequestFields(req, '');
  delete request.uid;
  delete request.object;
  delete request.oldObject;
  if (req.options === undefined) delete request.options;
  return { object: celValue(req.object ?? null), oldObject: celValue(req.oldObject ?? null), request: celValue(request), namespaceObject: null };
}
