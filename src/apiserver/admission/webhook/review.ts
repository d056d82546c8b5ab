// The AdmissionReview a webhook is sent, and what its answer means, as upstream's
// k8s.io/apiserver/pkg/admission/plugin/webhook/request (CreateAdmissionObjects,
// VerifyAdmissionResponse), the dispatchers' handling of a verified response, and
// webhook/errors.ToStatusErr. Pure: no I/O. The answer arrives as parsed JSON, and where Go's
// decoder would refuse it (a field of the wrong type, bad base64) the error says what Go says.
import { internalError, StatusError, type StatusReason } from '../../../api/status.js';
import type { Webhook, WebhookRequest } from './types.js';

export type ReviewVersion = 'v1' | 'v1beta1';

export type ReviewOutcome =
  | { allowed: true; /** Decoded JSON Patch operations, absent when the webhook changed nothing. */ patch?: unknown[]; warnings: string[] }
  | { allowed: false; status: StatusError; warnings: string[] };

/**
 * A failure upstream wraps as ErrCallingWebhook: the webhook's failurePolicy decides whether the
 * request fails (callFailure) or goes on without it. The message is what upstream prints after
 * `failed calling webhook "<name>": `. Warnings the webhook sent before the failure was found
 * ride along: upstream has recorded them by then.
 */
export class WebhookCallError extends Error {
  constructor(
    message: string,
    readonly warnings: string[] = [],
  ) {
    super(message);
  }
}

/**
 * The AdmissionReview version a webhook is sent: the first of its admissionReviewVersions this
 * server speaks, so the webhook's order of preference wins. Throws a WebhookCallError otherwise.
 */
export function reviewVersion(w: Webhook): ReviewVersion {
  for (const v of w.admissionReviewVersions ?? []) if (v === 'v1' || v === 'v1beta1') return v;
  throw new WebhookCallError('could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)');
}

/**
 * The `request` of an AdmissionReview, with Go's omitempty: subResource, requestSubResource,
 * name and namespace only when set, empty userInfo fields dropped. `object`, `oldObject` and
 * `options` are RawExtensions, which Go always writes: `null` when absent (a create has no
 * oldObject, a delete no object). dryRun is a pointer upstream always sets.
 */
export function admissionRequestFields(req: WebhookRequest, uid: string): Record<string, unknown> {
  const kind = { group: req.kindGroup ?? req.group, version: req.kindVersion ?? req.version, kind: req.kind };
  const resource = { group: req.group, version: req.version, resource: req.resource };
  const u = req.userInfo;
  const userInfo: Record<string, unknown> = {};
  if (u.username) userInfo.username = u.username;
  if (u.uid) userInfo.uid = u.uid;
  if (u.groups?.length) userInfo.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) userInfo.extra = u.extra;
  // Called for an equivalent version (equivalent.ts), the review names both: what the rule matched and what was requested.
  const r = req.requested;
  return {
    uid,
    kind,
    resource,
    ...(req.subresource && { subResource: req.subresource }),
    requestKind: r ? { group: r.kindGroup ?? r.group, version: r.kindVersion ?? r.version, kind: r.kind } : { ...kind },
    requestResource: r ? { group: r.group, version: r.version, resource: r.resource } : { ...resource },
    ...(req.subresource && { requestSubResource: req.subresource }),
    ...(req.name && { name: req.name }),
    ...(req.namespace && { namespace: req.namespace }),
    operation: req.operation,
    userInfo,
    object: req.object ?? null,
    oldObject: req.oldObject ?? null,
    dryRun: req.dryRun,
    options: req.options ?? null,
  };
}

/** CreateAdmissionObjects: the body to POST, in the version the webhook prefers. */
export function admissionReviewFor(w: Webhook, req: WebhookRequest, uid: string): { version: ReviewVersion; body: object } {
  const version = reviewVersion(w);
  return { version, body: { kind: 'AdmissionReview', apiVersion: `admission.k8s.io/${version}`, request: admissionRequestFields(req, uid) } };
}

/**
 * VerifyAdmissionResponse and what the dispatchers do next: a denial becomes ToStatusErr's
 * status; a mutating webhook's patch is base64-decoded and decoded as a JSON Patch. Throws a
 * WebhookCallError for an answer upstream treats as a failed call.
 *
 * v1 answers must echo the request's uid and say apiVersion admission.k8s.io/v1, kind
 * AdmissionReview; a v1 mutating webhook sends patch and patchType together; a v1 validating
 * webhook may send neither. v1beta1 answers are checked for none of this (upstream kept the old
 * leniency): their patch counts as JSONPatch, and a validating webhook's patch is ignored.
 *
 * Not done here (the caller's part, as it needs the object): upstream's 500 `admission webhook
 * "<name>" attempted to modify the object, which is not supported for this operation` for a
 * patch on a request without an object (see patchWithoutObject), which upstream checks just
 * before the patchType.
 */
export function interpretReview(w: Webhook, raw: unknown, uid: string, mutating: boolean): ReviewOutcome {
  const version = reviewVersion(w);
  const invalid = (why: string) => new WebhookCallError(`received invalid webhook response: ${why}`);
  const review = decodeReview(raw);
  const r = review.response;
  if (!r) throw invalid('webhook response was absent');
  const sent = r.patch?.length ? r.patch : undefined;
  let patch: Buffer | undefined;
  let patchType: string | undefined;
  if (version === 'v1') {
    const got = r.uid ?? '';
    if (got !== uid) throw invalid(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(got)}`);
    const gvk = gvkString(review.apiVersion ?? '', review.kind ?? '');
    const want = 'admission.k8s.io/v1, Kind=AdmissionReview';
    if (gvk !== want) throw invalid(`expected webhook response of ${want}, got ${gvk}`);
    if (mutating) {
      if (sent && r.patchType === undefined) throw invalid('webhook returned response.patch but not response.patchType');
      if (!sent && r.patchType !== undefined) throw invalid('webhook returned response.patchType but not response.patch');
      if (r.patchType === '') throw invalid('webhook returned invalid response.patchType of ""');
      patch = sent;
      patchType = r.patchType;
    } else {
      if (sent) throw invalid('validating webhook may not return response.patch');
      if (r.patchType !== undefined) throw invalid('validating webhook may not return response.patchType');
    }
  } else if (mutating && sent) {
    patch = sent;
    patchType = 'JSONPatch';
  }
  const warnings = r.warnings ?? [];
  if (!r.allowed) return { allowed: false, status: denial(w.name, r.status), warnings };
  if (!patch) return { allowed: true, warnings };
  const ops = decodePatch(patch, warnings);
  if (ops.length === 0) return { allowed: true, warnings };
  if (patchType !== 'JSONPatch') throw new WebhookCallError(`unsupported patch type ${JSON.stringify(patchType)}`, warnings);
  return { allowed: true, patch: ops, warnings };
}

/**
 * ToStatusErr: a webhook's denial. The webhook's status is kept (reason, details and all) with
 * the code raised to at least 400 (never a success code with a rejection) and the message
 * prefixed `admission webhook "<name>" denied the request`: `: <message>`, else `: <reason>`,
 * else ` without explanation`. A reason the webhook left empty stays empty, as upstream.
 */
export function denial(name: string, status: WireStatus | undefined): StatusError {
  const s = status ?? {};
  const code = s.code !== undefined && s.code >= 400 ? s.code : 400;
  const deniedBy = `admission webhook ${JSON.stringify(name)} denied the request`;
  const message = s.message ? `${deniedBy}: ${s.message}` : s.reason ? `${deniedBy}: ${s.reason}` : `${deniedBy} without explanation`;
  return new StatusError(code, (s.reason ?? '') as StatusReason, message, s.details as StatusError['details']);
}

/**
 * The error a failed call ends the request with under failurePolicy Fail (upstream returns
 * apierrors.NewInternalError(ErrCallingWebhook)): 500 InternalError, `Internal error occurred:
 * failed calling webhook "<name>": <reason>`. A WebhookCallError's message is the reason as it
 * stands; any other error is the HTTP call's own, which upstream prefixes `failed to call
 * webhook: `. Upstream words a timeout no differently: the caller's error should read as Go's
 * client does (`Post "https://svc.ns.svc:443/path?timeout=10s": context deadline exceeded`).
 */
export function callFailure(w: Webhook, err: Error): StatusError {
  const reason = err instanceof WebhookCallError ? err.message : `failed to call webhook: ${err.message}`;
  return internalError(`failed calling webhook ${JSON.stringify(w.name)}: ${reason}`);
}

/**
 * A dry-run request and a webhook that may have side effects: upstream refuses with 400 (not
 * subject to failurePolicy), or, when sideEffects is unset, fails the call. Undefined when the
 * webhook may be called.
 */
export function dryRunRefusal(w: Webhook, req: WebhookRequest): StatusError | WebhookCallError | undefined {
  if (!req.dryRun) return undefined;
  if (w.sideEffects === undefined || w.sideEffects === null) return new WebhookCallError('Webhook SideEffects is nil');
  if (w.sideEffects === 'None' || w.sideEffects === 'NoneOnDryRun') return undefined;
  return new StatusError(400, 'BadRequest', `admission webhook ${JSON.stringify(w.name)} does not support dry run`);
}

/** Upstream's 500 for a non-empty patch on a request with no object to patch (a DELETE). */
export function patchWithoutObject(w: Webhook): StatusError {
  return internalError(`admission webhook ${JSON.stringify(w.name)} attempted to modify the object, which is not supported for this operation`);
}

// ---- decoding the answer as Go's typed decoder would ----

export interface WireStatus {
  code?: number;
  reason?: string;
  message?: string;
  details?: object;
}

interface WireResponse {
  uid?: string;
  allowed?: boolean;
  /** The decoded bytes of the base64 `patch` (a []byte in Go). */
  patch?: Buffer;
  patchType?: string;
  warnings?: string[];
  status?: WireStatus;
}

interface WireReview {
  apiVersion?: string;
  kind?: string;
  response?: WireResponse;
}

/** A JSON value's kind as Go's UnmarshalTypeError names it. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'string' ? 'string' : 'object';
}

const decodeError = (message: string) => new WebhookCallError(`failed to call webhook: ${message}`);

/**
 * One field of a Go struct: null is the zero value (as if absent); a value of the wrong JSON
 * type is Go's UnmarshalTypeError, naming the enclosing struct, the path from the root and the
 * field's Go type (`v1.X` for a struct).
 */
function field<T>(obj: Record<string, unknown>, key: string, goType: string, struct: string, path: string): T | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  let ok: boolean;
  // A []byte travels as a base64 string.
  if (goType === 'string' || goType === '[]uint8') ok = typeof v === 'string';
  else if (goType === 'bool') ok = typeof v === 'boolean';
  else if (goType === 'int32') ok = Number.isInteger(v) && Math.abs(v as number) <= 2 ** 31 - 1;
  else ok = jsonKind(v) === 'object';
  if (ok) return v as T;
  // Go names the number itself only when it was meant for an integer.
  const value = typeof v === 'number' && goType === 'int32' ? `number ${v}` : jsonKind(v);
  throw decodeError(`json: cannot unmarshal ${value} into Go struct field ${struct}.${path} of type ${goType}`);
}

function decodeReview(raw: unknown): WireReview {
  // The serializer first reads apiVersion and kind alone, into an anonymous struct.
  const kindOf = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';
  // JSON null decodes into a struct as nothing at all.
  if (raw === null) return {};
  if (jsonKind(raw) !== 'object') throw decodeError(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(raw)} into Go value of type ${kindOf}`);
  const root = raw as Record<string, unknown>;
  const typeMeta = (key: string): string | undefined => {
    try {
      return field(root, key, 'string', '', key);
    } catch (err) {
      throw decodeError(`couldn't get version/kind; json parse error: ${(err as Error).message.replace('failed to call webhook: ', '')}`);
    }
  };
  const review: WireReview = { apiVersion: typeMeta('apiVersion'), kind: typeMeta('kind') };
  const r = field<Record<string, unknown>>(root, 'response', 'v1.AdmissionResponse', 'AdmissionReview', 'response');
  if (!r) return review;
  const at = (k: string) => `response.${k}`;
  const patch = field<string>(r, 'patch', '[]uint8', 'AdmissionResponse', at('patch'));
  const response: WireResponse = {
    uid: field(r, 'uid', 'string', 'AdmissionResponse', at('uid')),
    allowed: field(r, 'allowed', 'bool', 'AdmissionResponse', at('allowed')),
    patch: patch === undefined ? undefined : base64Bytes(patch),
    patchType: field(r, 'patchType', 'string', 'AdmissionResponse', at('patchType')),
  };
  const warnings = r.warnings;
  if (warnings !== undefined && warnings !== null) {
    if (!Array.isArray(warnings)) throw decodeError(`json: cannot unmarshal ${jsonKind(warnings)} into Go struct field AdmissionResponse.response.warnings of type []string`);
    for (const item of warnings) if (typeof item !== 'string' && item !== null) throw decodeError(`json: cannot unmarshal ${jsonKind(item)} into Go struct field AdmissionResponse.response.warnings of type string`);
    response.warnings = warnings.map((x) => (x === null ? '' : (x as string)));
  }
  const s = field<Record<string, unknown>>(r, 'status', 'v1.Status', 'AdmissionResponse', at('status'));
  if (s) {
    response.status = {
      code: field(s, 'code', 'int32', 'Status', at('status.code')),
      reason: field(s, 'reason', 'string', 'Status', at('status.reason')),
      message: field(s, 'message', 'string', 'Status', at('status.message')),
      details: field(s, 'details', 'v1.StatusDetails', 'Status', at('status.details')),
    };
  }
  review.response = response;
  return review;
}

/** schema.GroupVersionKind.String() of what the answer said, as FromAPIVersionAndKind parses it. */
function gvkString(apiVersion: string, kind: string): string {
  let group = '';
  let version = '';
  const slashes = apiVersion.split('/').length - 1;
  if (apiVersion !== '' && apiVersion !== '/') {
    if (slashes === 0) version = apiVersion;
    else if (slashes === 1) [group, version] = apiVersion.split('/');
    // More slashes: Go cannot parse the group/version and keeps only the kind.
  }
  return `${group}/${version}, Kind=${kind}`;
}

// ---- the patch ----

const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * base64.StdEncoding.Decode as encoding/json runs it on a []byte field: padded standard
 * alphabet, CR and LF skipped, and on bad input Go's `illegal base64 data at input byte N`.
 */
function base64Bytes(s: string): Buffer {
  const corrupt = (at: number) => new WebhookCallError(`failed to call webhook: illegal base64 data at input byte ${at}`);
  const nl = (c: string) => c === '\n' || c === '\r';
  let si = 0;
  while (si < s.length) {
    for (let j = 0; j < 4; j++) {
      if (si === s.length) {
        if (j === 0) break;
        throw corrupt(si - j);
      }
      const c = s[si++];
      if (b64.includes(c)) continue;
      if (nl(c)) {
        j--;
        continue;
      }
      if (c !== '=' || j < 2) throw corrupt(si - 1);
      if (j === 2) {
        while (si < s.length && nl(s[si])) si++;
        if (si === s.length) throw corrupt(s.length);
        if (s[si] !== '=') throw corrupt(si - 1);
        si++;
      }
      while (si < s.length && nl(s[si])) si++;
      if (si < s.length) throw corrupt(si);
      break;
    }
  }
  return Buffer.from(s.replace(/[\r\n]/g, ''), 'base64');
}

/**
 * jsonpatch.DecodePatch (evanphx/json-patch): a JSON array of objects. `null` is an empty patch,
 * as Go decodes it. Upstream treats an undecodable patch as a failed call.
 */
function decodePatch(bytes: Buffer, warnings: string[]): unknown[] {
  const fail = (why: string) => new WebhookCallError(`received undecodable patch in webhook response: ${why}`, warnings);
  const text = bytes.toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    // Go's syntax errors name the offending character; JSON.parse's wording differs past the first.
    const first = text.trimStart()[0];
    if (first === undefined) throw fail('unexpected end of JSON input');
    if (!'{["-0123456789tfn'.includes(first)) throw fail(`invalid character '${first}' looking for beginning of value`);
    throw fail((err as Error).message);
  }
  if (v === null) return [];
  if (!Array.isArray(v)) throw fail(`json: cannot unmarshal ${jsonKind(v)} into Go value of type jsonpatch.Patch`);
  for (const op of v) if (op !== null && jsonKind(op) !== 'object') throw fail(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
  return v;
}
