// matchPolicy Equivalent, the v1 default (upstream's generic.Webhook.ShouldCallHook with the
// equivalent resource mapper): a webhook whose rules do not name the requested version of a
// resource is matched against the other versions the same objects are served under (the served
// versions of a CRD, autoscaling/v1 and v2 HorizontalPodAutoscalers), in registration order; the
// first that matches is the one it is called for. The review then names that version's kind and
// resource, with the requested ones as requestKind/requestResource, and carries the object
// converted to that version; a mutating webhook's patch applies there and the result is converted
// back. With matchPolicy Exact only the requested version counts.
//
// ValidatingAdmissionPolicy matches the same way (policy/match-resources.ts) and evaluates its
// expressions on the request requestToSend gives for the matched version.
import { copyJson } from '../../../api/json-copy.js';
import type { KubeObject } from '../../../api/object.js';
import type { ResourceEntry } from '../../registry/resource-entry.js';
import type { ResourceRegistry } from '../../registry/resource-registry.js';
import { webhookMatches } from './matching.js';
import type { Webhook, WebhookRequest } from './types.js';

/** How a webhook matched: the request as it is, or as an equivalent version's (`entry`). */
export interface MatchedRequest {
  request: WebhookRequest;
  entry?: ResourceEntry;
}

/**
 * The other versions of the request's resource (same storage), which have the requested
 * subresource; looked up once per request, and only when a webhook's rules miss the requested one.
 */
export function equivalentEntries(registry: ResourceRegistry, requested: ResourceEntry, subresource: string): () => readonly ResourceEntry[] {
  let found: ResourceEntry[] | undefined;
  return () =>
    (found ??= registry.all().filter((e) => e !== requested && e.prefix === requested.prefix && (subresource === '' || (subresource === 'status' ? e.hasStatus : e.type.subresources.some((s) => s.name === subresource)))));
}

export function matchWebhook(w: Webhook, req: WebhookRequest, equivalents: () => readonly ResourceEntry[]): MatchedRequest | undefined {
  if (webhookMatches(w, req)) return { request: req };
  if (w.matchPolicy === 'Exact') return undefined;
  for (const e of equivalents()) {
    const alt = equivalentRequest(req, e);
    if (webhookMatches(w, alt)) return { request: alt, entry: e };
  }
  return undefined;
}

/**
 * The request as it would be for an equivalent version `e`: that version's resource and kind,
 * with the requested ones kept as `requested`. The objects are still the requested version's
 * (requestToSend converts them once the version is chosen).
 */
export function equivalentRequest(req: WebhookRequest, e: ResourceEntry): WebhookRequest {
  const t = e.type;
  // A subresource of another kind (deployments/scale is a Scale) keeps that kind.
  const kind = req.kindGroup === undefined ? { kind: t.kind } : {};
  return { ...req, group: t.group, version: t.version, resource: t.plural, ...kind, requested: { group: req.group, version: req.version, resource: req.resource, kind: req.kind, kindGroup: req.kindGroup, kindVersion: req.kindVersion } };
}

/** The request to send: for an equivalent version, its object and old object converted to it. */
export async function requestToSend(m: MatchedRequest, requested: ResourceEntry): Promise<WebhookRequest> {
  if (!m.entry || m.request.operation === 'CONNECT') return m.request;
  const r = m.request;
  return {
    ...r,
    ...(r.object ? { object: await convertBetween(r.object, requested, m.entry) } : {}),
    ...(r.oldObject ? { oldObject: await convertBetween(r.oldObject, requested, m.entry) } : {}),
  };
}

/** An object of one version as another version of the same resource presents it: through the stored form. A private copy. */
export async function convertBetween(obj: KubeObject, from: ResourceEntry, to: ResourceEntry): Promise<KubeObject> {
  // (Conversions leave their input alone; what comes out may be shared, hence the one copy.)
  const stored = from.convertAsync ? await from.convertAsync.toStorage(obj) : from.convert ? from.convert.toStorage(obj) : obj;
  const out = to.convertAsync ? (await to.convertAsync.fromStorage([stored], false))[0] : to.convert ? to.convert.fromStorage(stored) : stored;
  return copyJson(out);
}
