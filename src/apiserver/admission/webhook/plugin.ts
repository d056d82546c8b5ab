// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook admission plugins (upstream:
// k8s.io/apiserver/pkg/admission/plugin/webhook/{mutating,validating}). Configurations are read
// from the watch cache, ordered by name, webhooks in their order within one. Mutating webhooks
// run one after another, each seeing the previous one's patch; validating webhooks run at once.
// A request no webhook matches costs a scan of the configurations and no promise, so writes
// without webhooks stay on the chain's synchronous path.
//
// Not done (upstream has them): reinvocation (reinvocationPolicy: IfNeeded), calling mutating
// webhooks for DELETE, and matchPolicy Equivalent's conversion to the version a rule names
// (rules match the requested version exactly).
import { randomUUID } from 'node:crypto';
import type { MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject, StoredObject } from '../../../api/object.js';
import { jsonPatch } from '../../../api/patch/json-patch.js';
import { loadCEL } from '../../../api/cel/library.js';
import { StatusError } from '../../../api/status.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission.js';
import type { AdmissionDeps } from '../plugins.js';
import { admissionConfigurations } from '../configurations.js';
import { postAdmissionReview, resolveWebhookTarget, type WebhookCaller } from './caller.js';
import { evaluateMatchConditions, matchConditionsFailure, webhookMatches } from './matching.js';
import { admissionReviewFor, callFailure, dryRunRefusal, interpretReview, patchWithoutObject } from './review.js';
import type { Webhook, WebhookRequest } from './types.js';

type Kind = 'mutating' | 'validating';

const configPlural: Record<Kind, string> = { mutating: 'mutatingwebhookconfigurations', validating: 'validatingwebhookconfigurations' };

/** Admission of the webhook configurations themselves never calls webhooks (no deadlock on a broken one). */
const exempt = new Set(['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings']);

export interface WebhookPluginOptions {
  call?: WebhookCaller;
}

export function mutatingAdmissionWebhook(deps: AdmissionDeps, opts: WebhookPluginOptions = {}): AdmissionPlugin {
  const hooks = matchingHooks(deps, 'mutating');
  const call = opts.call ?? postAdmissionReview;
  return {
    name: 'MutatingAdmissionWebhook',
    admit(a) {
      const matched = hooks(a);
      if (!matched) return undefined;
      return (async () => {
        for (const w of matched.webhooks) {
          // Each webhook sees the object as the ones before it left it: a patch replaces the
          // contents of the object the request holds.
          const outcome = await callWebhook(w, matched.request, 'mutating', deps, call);
          if (!outcome) continue;
          a.ctx.warnings.push(...outcome.warnings);
          if (outcome.patch?.length) replaceContents(a.object, patched(a.object, outcome.patch));
        }
      })();
    },
  };
}

export function validatingAdmissionWebhook(deps: AdmissionDeps, opts: WebhookPluginOptions = {}): AdmissionPlugin {
  const hooks = matchingHooks(deps, 'validating');
  const call = opts.call ?? postAdmissionReview;
  return {
    name: 'ValidatingAdmissionWebhook',
    validate(a) {
      const matched = hooks(a);
      if (!matched) return undefined;
      return Promise.allSettled(matched.webhooks.map((w) => callWebhook(w, matched.request, 'validating', deps, call))).then((results) => {
        for (const r of results) if (r.status === 'fulfilled' && r.value) a.ctx.warnings.push(...r.value.warnings);
        // The first failure in webhook order is the answer (upstream returns one of them).
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      });
    },
  };
}

/** The webhooks of one kind that match a request, or undefined when none does. */
function matchingHooks(deps: AdmissionDeps, kind: Kind): (a: AdmissionAttributes) => { webhooks: Webhook[]; request: WebhookRequest } | undefined {
  const configurations = admissionConfigurations<(MutatingWebhookConfiguration | ValidatingWebhookConfiguration) & StoredObject>(deps, configPlural[kind]);
  return (a) => {
    const configs = configurations.all();
    if (configs.length === 0) return undefined;
    if (a.entry.type.group === 'admissionregistration.k8s.io' && exempt.has(a.entry.type.plural)) return undefined;
    if (a.operation === 'CONNECT') return undefined;
    const request = webhookRequest(a, deps);
    const webhooks = configs.flatMap((c) => (c.webhooks ?? []) as Webhook[]).filter((w) => webhookMatches(w, request));
    return webhooks.length ? { webhooks, request } : undefined;
  };
}

/** What webhooks and policies are told about a request (AdmissionRequest's fields). */
export function webhookRequest(a: AdmissionAttributes, deps: AdmissionDeps): WebhookRequest {
  const t = a.entry.type;
  const deleting = a.operation === 'DELETE';
  let namespaceLabels: Record<string, string> | undefined;
  if (t.namespaced && a.namespace) {
    const ns = deps.registry.find('', 'v1', 'namespaces');
    const obj = ns && deps.cache.resourceFor(ns.prefix).objects.get(`${ns.prefix}${a.namespace}`);
    namespaceLabels = obj?.metadata.labels ?? {};
  }
  const optionsKind = a.operation === 'CREATE' ? 'CreateOptions' : a.operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
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
    dryRun: a.ctx.dryRun,
    options: { kind: optionsKind, apiVersion: 'meta.k8s.io/v1', ...(!deleting && a.ctx.fieldManager ? { fieldManager: a.ctx.fieldManager } : {}) },
  };
}

/**
 * One call, with the webhook's own rules for failures: matchConditions first, dry run only with
 * side effects None/NoneOnDryRun, and failurePolicy (default Fail) for a call that fails.
 * Returns undefined when the webhook is skipped or ignored.
 */
async function callWebhook(w: Webhook, req: WebhookRequest, kind: Kind, deps: AdmissionDeps, call: WebhookCaller): Promise<{ patch?: unknown[]; warnings: string[] } | undefined> {
  const ignore = w.failurePolicy === 'Ignore';
  // (an evaluation error comes back only under failurePolicy Fail)
  if (w.matchConditions?.length) await loadCEL();
  const conditions = evaluateMatchConditions(w, req);
  if ('error' in conditions) throw matchConditionsFailure(req, conditions.error);
  if (!conditions.matched) return undefined;
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

function patched(obj: KubeObject, patch: unknown[]): KubeObject {
  try {
    return jsonPatch(obj, patch) as KubeObject;
  } catch (err) {
    throw new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
  }
}

/** The admission chain mutates the object it was given: the patched state replaces its contents. */
function replaceContents(target: KubeObject, next: KubeObject): void {
  for (const k of Object.keys(target)) if (!Object.hasOwn(next, k)) delete target[k];
  Object.assign(target, next);
}
