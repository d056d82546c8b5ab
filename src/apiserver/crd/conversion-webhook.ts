// A CustomResourceDefinition's conversion webhook (upstream: apiextensions-apiserver's
// webhook_converter.go). Objects not already at the desired version go to the webhook in one
// ConversionReview; its answer is checked as upstream checks it — the review's kind and uid, the
// result, one object per object sent, each of the desired version and the same kind, name,
// namespace and uid — and every converted object gets the original's metadata back except its
// labels and annotations, the only metadata a webhook may change.
import { randomUUID } from 'node:crypto';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import { copyJson } from '../../api/json-copy.js';
import type { KubeObject } from '../../api/object.js';
import { goTypeName, isObject } from '../../api/patch/json-value.js';
import { aggregateText, fieldErrorMessage } from '../../api/status.js';
import { validateAnnotations, validateLabels } from '../../api/validation/objectmeta.js';
import type { WebhookCaller, WebhookTarget } from '../admission/webhook/caller.js';

/** Upstream's webhook client timeout when the configuration has none (conversion has none). */
export const conversionWebhookTimeoutMs = 30_000;

const reviewVersions = ['v1', 'v1beta1'] as const;
type ReviewVersion = (typeof reviewVersions)[number];

export interface ConversionWebhookOptions {
  crd: CustomResourceDefinition;
  /** Where the webhook is now (a Service's endpoints may move between calls). */
  target(): WebhookTarget;
  call: WebhookCaller;
  timeoutMs?: number;
}

/** How the input is named in messages: one object, or a list (upstream converts a list in one review). */
export interface ConvertInput {
  objects: KubeObject[];
  /** The input's group/version and kind, as Go prints a GroupVersionKind ("g/v, Kind=K"). */
  gvk: string;
  list: boolean;
}

/** Fails a conversion; the API server answers it as upstream's plain error: 500 with the message. */
export class ConversionError extends Error {}

export class ConversionWebhook {
  private readonly reviewVersion: ReviewVersion | undefined;

  constructor(private readonly opts: ConversionWebhookOptions) {
    const asked = opts.crd.spec.conversion?.webhook?.conversionReviewVersions ?? [];
    // The first version the webhook lists that this server speaks.
    this.reviewVersion = asked.find((v): v is ReviewVersion => (reviewVersions as readonly string[]).includes(v));
  }

  /** The objects at desiredAPIVersion, in order; objects already there are not sent. */
  async convert(input: ConvertInput, desiredAPIVersion: string): Promise<KubeObject[]> {
    const sent = input.objects.filter((o) => o.apiVersion !== desiredAPIVersion);
    if (sent.length === 0) return input.objects;
    if (!this.reviewVersion) throw new ConversionError('no supported conversion review versions');
    const uid = randomUUID();
    const apiVersion = `apiextensions.k8s.io/${this.reviewVersion}`;
    const review = {
      kind: 'ConversionReview',
      apiVersion,
      request: { uid, desiredAPIVersion, objects: sent },
      // Upstream sends the empty response struct too; its required fields come out empty.
      response: { uid: '', convertedObjects: null, result: { metadata: {} } },
    };
    const failed = (reason: string) => new ConversionError(`conversion webhook for ${input.gvk} failed: ${reason}`);
    let reply: unknown;
    try {
      reply = await this.opts.call(this.opts.target(), review, this.opts.timeoutMs ?? conversionWebhookTimeoutMs);
    } catch (err) {
      throw failed((err as Error).message);
    }
    const converted = convertedObjects(reply, this.reviewVersion, uid, failed);
    if (converted.length !== sent.length) {
      throw new ConversionError(`conversion webhook for ${input.gvk} returned ${converted.length} objects, expected ${sent.length}`);
    }
    const out: KubeObject[] = [];
    let next = 0;
    for (const original of input.objects) {
      if (original.apiVersion === desiredAPIVersion) {
        out.push(original);
        continue;
      }
      const at = next++;
      out.push(checkedObject(original, converted[at], desiredAPIVersion, input, at));
    }
    return out;
  }
}

/** The response's convertedObjects once the review is known to answer the request (upstream's getConvertedObjectsFromResponse). */
function convertedObjects(reply: unknown, version: ReviewVersion, uid: string, failed: (reason: string) => Error): unknown[] {
  const r = isObject(reply) ? reply : {};
  if (version === 'v1') {
    // v1beta1 never checked these; v1 does.
    const got = gvkText(typeof r.apiVersion === 'string' ? r.apiVersion : '', typeof r.kind === 'string' ? r.kind : '');
    if (r.apiVersion !== 'apiextensions.k8s.io/v1' || r.kind !== 'ConversionReview') throw failed(`expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got ${got}`);
  }
  const response = r.response;
  if (!isObject(response)) throw failed('no response provided');
  if (version === 'v1' && (response.uid ?? '') !== uid) throw failed(`expected response.uid="${uid}", got "${String(response.uid ?? '')}"`);
  const result = isObject(response.result) ? response.result : {};
  if (result.status !== 'Success') {
    if (typeof result.message === 'string' && result.message) throw failed(result.message);
    throw failed(`response.result.status was '${String(result.status ?? '')}', not 'Success'`);
  }
  return Array.isArray(response.convertedObjects) ? response.convertedObjects : [];
}

/** One converted object checked against its original, with the original's metadata restored. */
function checkedObject(original: KubeObject, raw: unknown, desiredAPIVersion: string, input: ConvertInput, at: number): KubeObject {
  const { gvk, list } = input;
  // Upstream's wording differs between a list and one object, and a list counts from 1 after the first check.
  if (!isObject(raw)) throw new ConversionError(`conversion webhook for ${gvk} returned invalid converted object at index ${at}: the object is not a JSON object`);
  const obj = raw as KubeObject;
  const index = list ? `returned invalid converted object at index ${at + 1}` : 'returned invalid object at index 0';
  if (obj.apiVersion !== desiredAPIVersion) {
    throw new ConversionError(`conversion webhook for ${gvk} ${index}: invalid groupVersion (expected ${desiredAPIVersion}, received ${typeof obj.apiVersion === 'string' ? obj.apiVersion : ''})`);
  }
  if (obj.kind !== original.kind) {
    throw new ConversionError(`conversion webhook for ${gvk} ${index}: invalid kind (expected ${original.kind ?? ''}, received ${typeof obj.kind === 'string' ? obj.kind : ''})`);
  }
  const invalidObject = list ? `returned invalid converted object at index ${at + 1}` : 'returned invalid object';
  const sameness = sameIdentity(original, obj);
  if (sameness) throw new ConversionError(`conversion webhook for ${gvk} ${invalidObject}: ${sameness}`);
  const invalidMeta = list ? `returned invalid metadata in object at index ${at + 1}` : 'returned invalid metadata';
  const restored = restoreMetadata(original, obj);
  if (typeof restored === 'string') throw new ConversionError(`conversion webhook for ${gvk} ${invalidMeta}: ${restored}`);
  return restored;
}

/** What upstream's validateConvertedObject requires to be unchanged, as its message. */
function sameIdentity(a: KubeObject, b: KubeObject): string | undefined {
  const ma = a.metadata ?? {};
  const mb = isObject(b.metadata) ? (b.metadata as Record<string, unknown>) : {};
  for (const [field, word] of [['name', 'name'], ['namespace', 'namespace'], ['uid', 'UID']] as const) {
    const x = ma[field] ?? '';
    const y = typeof mb[field] === 'string' ? mb[field] : '';
    if (x !== y) return `must have the same ${word}: ${x} != ${y}`;
  }
  return undefined;
}

/**
 * The converted object with the original's metadata, except labels and annotations, which are
 * the webhook's (validated when changed). Returns the problem as text when they are not maps of strings.
 */
function restoreMetadata(original: KubeObject, converted: KubeObject): KubeObject | string {
  const answered = converted.metadata as unknown;
  if (answered === undefined) return 'missing metadata in converted object';
  if (!isObject(answered)) return `invalid metadata of type ${typeName(answered)} in converted object`;
  const meta: Record<string, unknown> = copyJson(original.metadata ?? {});
  for (const field of ['labels', 'annotations'] as const) {
    const theirs = answered[field];
    if (theirs === undefined || theirs === null) {
      delete meta[field];
      continue;
    }
    if (!isObject(theirs)) return `invalid metadata.${field} of type ${typeName(theirs)} in converted object`;
    const ours = (meta[field] ?? {}) as Record<string, unknown>;
    let changed = Object.keys(ours).length !== Object.keys(theirs).length;
    for (const [k, v] of Object.entries(theirs)) {
      if (typeof v !== 'string') return `metadata.${field}[${k}] must be a string, but is ${typeName(v)} in converted object`;
      if (ours[k] !== v) changed = true;
    }
    if (changed) {
      // Upstream names the annotations' path in the singular.
      const errs = field === 'labels' ? validateLabels(theirs, 'metadata.labels') : validateAnnotations(theirs, 'metadata.annotation');
      if (errs.length) return aggregateText(errs.map(fieldErrorMessage));
    }
    meta[field] = theirs;
  }
  return { ...converted, metadata: meta };
}

/** A GroupVersionKind as Go prints it: "group/version, Kind=Kind", the group empty for the core group. */
export function gvkText(apiVersion: string, kind: string): string {
  return `${apiVersion.includes('/') ? apiVersion : `/${apiVersion}`}, Kind=${kind}`;
}

/** %T of a decoded JSON value, as upstream's messages print it. */
function typeName(v: unknown): string {
  return v === null ? '<nil>' : goTypeName(v);
}
