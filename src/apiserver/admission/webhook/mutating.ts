// The MutatingAdmissionWebhook plugin (upstream: admission/plugin/webhook/mutating/dispatcher.go).
// The webhooks are called one after another in configuration-name order, each matched against
// and sent the object as the ones before it left it; a patch replaces the contents of the object
// the request holds.
//
// Reinvocation (reinvocationPolicy IfNeeded): a webhook whose patch changed the object asks the
// chain to run the mutating phase once more (admission.ts), built-in plugins included. In that
// second run only IfNeeded webhooks that were called and after which the object changed — by a
// later webhook, or by a built-in plugin before the second run — are called again
// (reinvocation.ts); a webhook is never called for the first time then, so none is called more
// than twice for one request.
import { isDeepStrictEqual } from 'node:util';
import type { MutatingWebhook } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../api/object.js';
import { jsonPatch } from '../../../api/patch/json-patch.js';
import { internalError } from '../../../api/status.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission.js';
import type { AdmissionDeps } from '../plugins.js';
import { reinvocationOf } from '../reinvocation.js';
import { postAdmissionReview, type WebhookCaller } from './caller.js';
import { convertBetween, equivalentEntries, matchWebhook, requestToSend } from './equivalent.js';
import type { ResourceEntry } from '../../registry/resource-entry.js';
import { callWebhook, conditionsMatch, webhookConfigurations, webhookRequest, type WebhookConfiguration, type WebhookPluginOptions } from './plugin.js';
import { WebhookReinvocation } from './reinvocation.js';
import type { Webhook, WebhookRequest } from './types.js';

const pluginName = 'MutatingAdmissionWebhook';

/**
 * One call of a mutating webhook, named as upstream's audit annotations name it
 * (`mutation.webhook.admission.k8s.io/round_{round}_index_{index}`). There is no audit log here;
 * whoever passes `record` sees them.
 */
export interface MutatingWebhookCall {
  configuration: string;
  webhook: string;
  /** 0 in the first run of the mutating phase, 1 on reinvocation. */
  round: 0 | 1;
  /** The webhook's place among all mutating webhooks (every configuration's, in order). */
  index: number;
  /** Its patch changed the object. */
  mutated: boolean;
}

export interface MutatingWebhookOptions extends WebhookPluginOptions {
  record?: (call: MutatingWebhookCall) => void;
}

/** A webhook with the name upstream's reinvocation bookkeeping knows it by. */
interface ConfiguredWebhook {
  webhook: MutatingWebhook;
  configuration: string;
  uid: string;
}

export function mutatingAdmissionWebhook(deps: AdmissionDeps, opts: MutatingWebhookOptions = {}): AdmissionPlugin {
  const configurations = webhookConfigurations(deps, 'mutating');
  const call = opts.call ?? postAdmissionReview;
  return {
    name: pluginName,
    admit(a) {
      const configs = configurations(a);
      if (!configs) return undefined;
      const request = webhookRequest(a, deps);
      const equivalents = equivalentEntries(deps.registry, a.entry, a.subresource);
      // Only a webhook's patch changes what the webhooks match: when none matches the request as
      // it comes, none is called, and the write stays on the synchronous path.
      if (!configs.some((c) => ((c.webhooks ?? []) as Webhook[]).some((w) => matchWebhook(w, request, equivalents)))) return undefined;
      return dispatch(a, request, equivalents, configuredWebhooks(configs), deps, call, opts.record);
    },
  };
}

async function dispatch(
  a: AdmissionAttributes,
  req: WebhookRequest,
  equivalents: () => readonly ResourceEntry[],
  hooks: ConfiguredWebhook[],
  deps: AdmissionDeps,
  call: WebhookCaller,
  record: MutatingWebhookOptions['record'],
): Promise<void> {
  const rc = reinvocationOf(a);
  let state = rc.values.get(pluginName) as WebhookReinvocation | undefined;
  if (!state) rc.values.set(pluginName, (state = new WebhookReinvocation()));
  const round = rc.isReinvoke ? 1 : 0;
  // The built-in plugins changed the object since the webhooks last ran: the IfNeeded webhooks
  // called before that change are due.
  if (rc.isReinvoke && state.changedSinceLastRun(req.object)) state.changed();
  try {
    for (let index = 0; index < hooks.length; index++) {
      const { webhook: w, configuration, uid } = hooks[index];
      // (matched before the reinvocation check, as upstream: a match condition that fails to
      // evaluate fails the request in either run)
      const matched = matchWebhook(w, req, equivalents);
      if (!matched) continue;
      const sent = await requestToSend(matched, a.entry);
      if (!(await conditionsMatch(w, sent))) continue;
      if (rc.isReinvoke && !state.shouldReinvoke(uid)) continue;
      let mutated = false;
      try {
        const outcome = await callWebhook(w, sent, 'mutating', deps, call);
        if (outcome) {
          a.ctx.warnings.push(...outcome.warnings);
          if (outcome.patch?.length) mutated = matched.entry ? await applyPatchThrough(a, sent.object!, outcome.patch, matched.entry) : applyPatch(a.object, outcome.patch);
        }
      } finally {
        record?.({ configuration, webhook: w.name, round, index, mutated });
      }
      if (mutated) {
        state.changed();
        rc.shouldReinvoke = true;
      }
      // (after the change: a webhook's own patch does not make it due)
      if (w.reinvocationPolicy === 'IfNeeded') state.invoked(uid);
    }
  } finally {
    state.finished(req.object);
  }
}

/**
 * Every mutating webhook in order, named `<configuration>/<webhook>/<n>` (n counts the webhooks
 * of that name before it in the configuration), as upstream's configuration manager names them.
 */
function configuredWebhooks(configs: WebhookConfiguration[]): ConfiguredWebhook[] {
  const out: ConfiguredWebhook[] = [];
  for (const c of configs) {
    const configuration = c.metadata.name;
    const seen = new Map<string, number>();
    for (const w of (c.webhooks ?? []) as MutatingWebhook[]) {
      const n = seen.get(w.name) ?? 0;
      seen.set(w.name, n + 1);
      out.push({ webhook: w, configuration, uid: `${configuration}/${w.name}/${n}` });
    }
  }
  return out;
}

/**
 * Applies a webhook's patch to the request's object in place; true when it changed the object
 * (upstream compares the patched object with the one before).
 */
function applyPatch(target: KubeObject, patch: unknown[]): boolean {
  return replaceContents(target, patched(target, patch));
}

/** A patch made to the object as an equivalent version presents it, brought back to the requested version. */
async function applyPatchThrough(a: AdmissionAttributes, converted: KubeObject, patch: unknown[], equivalent: ResourceEntry): Promise<boolean> {
  const next = patched(converted, patch);
  if (isDeepStrictEqual(next, converted)) return false;
  return replaceContents(a.object, await convertBetween(next, equivalent, a.entry));
}

function patched(target: KubeObject, patch: unknown[]): KubeObject {
  try {
    return jsonPatch(target, patch) as KubeObject;
  } catch (err) {
    throw internalError((err as Error).message);
  }
}

function replaceContents(target: KubeObject, next: KubeObject): boolean {
  if (isDeepStrictEqual(next, target)) return false;
  for (const k of Object.keys(target)) if (!Object.hasOwn(next, k)) delete target[k];
  Object.assign(target, next);
  return true;
}
