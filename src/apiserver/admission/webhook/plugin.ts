// The admission webhook plugins' shared part (upstream: k8s.io/apiserver/pkg/admission/plugin/
// webhook/generic and request) and the ValidatingAdmissionWebhook plugin; MutatingAdmissionWebhook
// is mutating.ts. Configurations are read from the watch cache, ordered by name, webhooks in
// their order within one. Mutating webhooks run one after another, each seeing the previous one's
// patch, and those with reinvocationPolicy IfNeeded are called again when the object changed
// after them; validating webhooks run at once. Every operation is sent: CREATE and UPDATE with
// the object, DELETE with the object being deleted as oldObject and the DeleteOptions, CONNECT
// with the connect options as the object. A request no webhook matches costs a scan of the
// configurations and no promise, so writes without webhooks stay on the chain's synchronous path.
// matchPolicy Equivalent (a rule naming another version of the resource) is equivalent.ts.
import { randomUUID } from 'node:crypto';
import type { MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from 'kubernetes-types/admissionregistration/v1.js';
import type { StoredObject } from '../../../api/object.js';
import { loadCEL } from '../../../api/cel/library.js';
import { StatusError } from '../../../api/status.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission.js';
import type { AdmissionDeps } from '../plugins.js';
import { admissionConfigurations } from '../configurations.js';
import { postAdmissionReview, resolveWebhookTarget, type WebhookCaller } from './caller.js';
import { evaluateMatchConditions, matchConditionsFailure } from './matching.js';
import { matchWebhook, equivalentEntries, requestToSend, type MatchedRequest } from './equivalent.js';
import { admissionReviewFor, callFailure, dryRunRefusal, interpretReview, patchWithoutObject } from './review.js';
import type { Webhook, WebhookRequest } from './types.js';

export type Kind = 'mutating' | 'validating';

/** A Mutating- or ValidatingWebhookConfiguration as the cache holds it. */
export type WebhookConfiguration = (MutatingWebhookConfiguration | ValidatingWebhookConfiguration) & StoredObject;

const configPlural: Record<Kind, string> = { mutating: 'mutatingwebhookconfigurations', validating: 'validatingwebhookconfigurations' };

/** Admission of the webhook configurations themselves never calls webhooks (no deadlock on a broken one). */
const exempt = new Set(['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings']);

export interface WebhookPluginOptions {
  call?: WebhookCaller;
}

export function validatingAdmissionWebhook(deps: AdmissionDeps, opts: WebhookPluginOptions = {}): AdmissionPlugin {
  const hooks = matchingHooks(deps);
  const call = opts.call ?? postAdmissionReview;
  return {
    name: 'ValidatingAdmissionWebhook',
    validate(a) {
      const matched = hooks(a);
      if (!matched) return undefined;
      const called = matched.map(async ({ w, m }) => {
        const sent = await requestToSend(m, a.entry);
        return (await conditionsMatch(w, sent)) ? callWebhook(w, sent, 'validating', deps, call) : undefined;
      });
      return Promise.allSettled(called).then((results) => {
        for (const r of results) if (r.status === 'fulfilled' && r.value) a.ctx.warnings.push(...r.value.warnings);
        // The first failure in webhook order is the answer (upstream returns one of them).
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      });
    },
  };
}

/**
 * The configurations of one kind a request is to be matched against, or undefined when there are
 * none or the request is exempt.
 */
export function webhookConfigurations(deps: AdmissionDeps, kind: Kind): (a: AdmissionAttributes) => WebhookConfiguration[] | undefined {
  const configurations = admissionConfigurations<WebhookConfiguration>(deps, configPlural[kind]);
  return (a) => {
    if (configurations.size() === 0) return undefined;
    if (a.entry.type.group === 'admissionregistration.k8s.io' && exempt.has(a.entry.type.plural)) return undefined;
    return configurations.all();
  };
}

/** The validating webhooks that match a request, each with how it matched, or undefined when none does. */
function matchingHooks(deps: AdmissionDeps): (a: AdmissionAttributes) => { w: Webhook; m: MatchedRequest }[] | undefined {
  const configurations = webhookConfigurations(deps, 'validating');
  return (a) => {
    const configs = configurations(a);
    if (!configs) return undefined;
    const request = webhookRequest(a, deps);
    const equivalents = equivalentEntries(deps.registry, a.entry, a.subresource);
    const matched: { w: Webhook; m: MatchedRequest }[] = [];
    for (const w of configs.flatMap((c) => (c.webhooks ?? []) as Webhook[])) {
      const m = matchWebhook(w, request, equivalents);
      if (m) matched.push({ w, m });
    }
    return matched.length ? matched : undefined;
  };
}

/**
 * What webhooks and policies are told about a request (AdmissionRequest's fields). A DELETE has
 * no object (the one being deleted is oldObject); a CONNECT has no options and is never a dry run.
 */
export function webhookRequest(a: AdmissionAttributes, deps: AdmissionDeps): WebhookRequest {
  const t = a.entry.type;
  const deleting = a.operation === 'DELETE';
  let namespaceLabels: Record<string, string> | undefined;
  if (t.namespaced && a.namespace) {
    const ns = deps.registry.find('', 'v1', 'namespaces');
    const obj = ns && deps.cache.resourceFor(ns.prefix).objects.get(`${ns.prefix}${a.namespace}`);
    namespaceLabels = obj?.metadata.labels ?? {};
  }
  return {
    operation: a.operation,
    group: t.group,
    version: t.version,
    resource: t.plural,
    subresource: a.subresource,
    ...subresourceKind(a),
    namespaced: t.namespaced,
    namespace: t.namespaced ? a.namespace : '',
    name: a.name,
    ...(deleting ? {} : { object: a.object }),
    ...(deleting ? { oldObject: a.oldObject ?? a.object } : a.oldObject ? { oldObject: a.oldObject } : {}),
    ...(namespaceLabels ? { namespaceLabels } : {}),
    userInfo: a.ctx.user,
    dryRun: a.operation !== 'CONNECT' && a.ctx.dryRun,
    ...operationOptions(a),
  };
}

/** request.options: what the attributes carry, else the Create/UpdateOptions the context implies; none for CONNECT. */
function operationOptions(a: AdmissionAttributes): Pick<WebhookRequest, 'options'> {
  if (a.options) return { options: a.options };
  if (a.operation === 'CONNECT') return {};
  const kind = a.operation === 'CREATE' ? 'CreateOptions' : a.operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
  return { options: { kind, apiVersion: 'meta.k8s.io/v1', ...(a.operation !== 'DELETE' && a.ctx.fieldManager ? { fieldManager: a.ctx.fieldManager } : {}) } };
}

/**
 * The webhook's matchConditions (the rest of upstream's ShouldCallHook is webhookMatches): false
 * skips it; an evaluation error under failurePolicy Fail fails the request (403).
 */
export async function conditionsMatch(w: Webhook, req: WebhookRequest): Promise<boolean> {
  if (!w.matchConditions?.length) return true;
  await loadCEL();
  const conditions = evaluateMatchConditions(w, req);
  if ('error' in conditions) throw matchConditionsFailure(req, conditions.error);
  return conditions.matched;
}

/** A webhook's answer that lets the request through. */
export interface WebhookOutcome {
  /** JSON Patch operations (mutating webhooks only), absent when the webhook changed nothing. */
  patch?: unknown[];
  warnings: string[];
}

/**
 * One call, with the webhook's own rules for failures: dry run only with side effects
 * None/NoneOnDryRun, and failurePolicy (default Fail) for a call that fails. Returns undefined
 * when a failure is ignored. A patch for a request without an object (a DELETE) fails the
 * request whatever the failurePolicy, as upstream.
 */
export async function callWebhook(w: Webhook, req: WebhookRequest, kind: Kind, deps: AdmissionDeps, call: WebhookCaller): Promise<WebhookOutcome | undefined> {
  const ignore = w.failurePolicy === 'Ignore';
  const uid = randomUUID();
  let raw: unknown;
  try {
    // A refusal (StatusError) stands whatever the failurePolicy; a WebhookCallError follows it.
    const refusal = dryRunRefusal(w, req);
    if (refusal) throw refusal;
    const review = admissionReviewFor(w, req, uid);
    raw = await call(resolveWebhookTarget(w.clientConfig, deps.cache, deps.registry), review.body, (w.timeoutSeconds ?? 10) * 1000);
  } catch (err) {
    if (err instanceof StatusError) throw err;
    if (ignore) return undefined;
    throw callFailure(w, err as Error);
  }
  let outcome: ReturnType<typeof interpretReview>;
  try {
    outcome = interpretReview(w, raw, uid, kind === 'mutating');
  } catch (err) {
    if (ignore) return undefined;
    throw callFailure(w, err as Error);
  }
  if (!outcome.allowed) throw outcome.status;
  if (outcome.patch?.length && !req.object) throw patchWithoutObject(w);
  return { patch: outcome.patch, warnings: outcome.warnings };
}

/** A subresource's own kind (pods/binding is a Binding, deployments/scale an autoscaling/v1 Scale). */
function subresourceKind(a: AdmissionAttributes): Pick<WebhookRequest, 'kind' | 'kindGroup' | 'kindVersion'> {
  const sub = a.subresource ? a.entry.type.subresources.find((s) => s.name === a.subresource) : undefined;
  if (!sub || sub.name === 'status') return { kind: a.entry.type.kind };
  return { kind: sub.kind, kindGroup: sub.group, kindVersion: sub.version };
}
