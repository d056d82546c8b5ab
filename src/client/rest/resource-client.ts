// Typed calls for one resource (group/version/plural), namespaced or cluster-scoped.
// Namespace of a call, first that applies: the call's `namespace` option, the namespace this
// client is bound to (`inNamespace`), the object's metadata.namespace (create/update), the
// client's default namespace (from the kubeconfig context). list/watch/deleteCollection without
// an explicit or bound namespace span all namespaces, which is what controllers want.
import type { DeleteOptions as MetaDeleteOptions, Status } from 'kubernetes-types/meta/v1.js';
import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import type { Binding } from 'kubernetes-types/core/v1.js';
import type { Eviction } from 'kubernetes-types/policy/v1.js';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { ListOptions, ObjectList, TransportRequest, WatchOptions, WatchStream } from '../types.js';
import { WatchDecoder } from '../watch/decoder.js';
import { isExpired } from './errors.js';
import type { Requester } from './request.js';
import { collectionPath, objectPath, queryString, type ResourceRef } from './resource-ref.js';

export interface NamespaceOption {
  namespace?: string;
}

export interface CallOptions extends NamespaceOption {
  signal?: AbortSignal;
}

export interface GetOptions extends CallOptions {
  resourceVersion?: string;
}

export interface WriteOptions extends CallOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

/**
 * For a write whose answer the caller does not use: `{ decode: false }` resolves with nothing once
 * the server accepted the write (a 2xx), its answer read to its end but neither kept nor decoded
 * (client-go's Do(ctx).Error()); a failure throws its ApiError as ever. Saves the client decoding
 * an object per call (the scheduler's Events, a load generator's creates).
 */
export interface NoDecode {
  decode: false;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
  /** e.g. "status" or "scale". */
  subresource?: string;
}

export interface DeleteOptions extends CallOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type ListCallOptions = ListOptions & CallOptions;
export type WatchCallOptions = WatchOptions & CallOptions;

export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    private readonly requester: Requester,
    readonly ref: ResourceRef<T>,
    /** Namespace for object calls when neither the call nor the object names one. */
    private readonly defaultNamespace: string,
    /** Namespace every call is bound to, if any. */
    readonly namespace?: string,
  ) {}

  /** The same resource, bound to one namespace. */
  inNamespace(namespace: string): ResourceClient<T> {
    return new ResourceClient<T>(this.requester, this.ref, this.defaultNamespace, namespace);
  }

  async get(name: string, opts: GetOptions = {}): Promise<T> {
    return this.call<T>('GET', this.objectPath(name, opts) + queryString({ resourceVersion: opts.resourceVersion }), undefined, opts);
  }

  /** One page (pass `limit`/`continue` to page yourself). Items get apiVersion/kind filled in. */
  async list(opts: ListCallOptions = {}): Promise<ObjectList<T>> {
    const list = await this.call<ObjectList<T>>('GET', this.collectionPath(opts) + listQuery(opts), undefined, opts);
    return withItemKinds(list);
  }

  /**
   * Every page, following `continue` (pages of `limit`, default 500, as client-go's pager).
   * If a continue token expires mid-way (410), falls back to one unpaginated list, as upstream.
   */
  async listAll(opts: ListCallOptions = {}): Promise<ObjectList<T>> {
    const limit = opts.limit ?? 500;
    let page = await this.list({ ...opts, limit });
    const items = [...page.items];
    while (page.metadata.continue) {
      try {
        page = await this.list({ ...opts, limit, continue: page.metadata.continue, resourceVersion: undefined, resourceVersionMatch: undefined });
      } catch (err) {
        if (!isExpired(err)) throw err;
        return this.list({ ...opts, limit: undefined, continue: undefined });
      }
      items.push(...page.items);
    }
    return { ...page, metadata: { resourceVersion: page.metadata.resourceVersion }, items };
  }

  create(obj: T, opts: WriteOptions & NoDecode): Promise<void>;
  create(obj: T, opts?: WriteOptions): Promise<T>;
  async create(obj: T, opts: WriteOptions & Partial<NoDecode> = {}): Promise<T | void> {
    return this.call<T>('POST', this.collectionPath(opts, obj, true) + writeQuery(opts), JSON.stringify(obj), opts);
  }

  update(obj: T, opts: WriteOptions & NoDecode): Promise<void>;
  update(obj: T, opts?: WriteOptions): Promise<T>;
  async update(obj: T, opts: WriteOptions & Partial<NoDecode> = {}): Promise<T | void> {
    return this.call<T>('PUT', this.objectPath(nameOf(obj), opts, obj) + writeQuery(opts), JSON.stringify(obj), opts);
  }

  async updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.call<T>('PUT', this.objectPath(nameOf(obj), opts, obj, 'status') + writeQuery(opts), JSON.stringify(obj), opts);
  }

  /**
   * Patches `name`. `patch` is the patch document (an array of operations for "json"; a partial
   * object for "merge"/"strategic"; the full intent for "apply", which needs fieldManager).
   */
  patch(name: string, patch: unknown, opts: PatchOptions & NoDecode): Promise<void>;
  patch<R extends KubeObject = T>(name: string, patch: unknown, opts: PatchOptions): Promise<R>;
  async patch<R extends KubeObject = T>(name: string, patch: unknown, opts: PatchOptions & Partial<NoDecode>): Promise<R | void> {
    if (opts.type === 'apply' && !opts.fieldManager) throw new Error('server-side apply needs a fieldManager');
    const body = typeof patch === 'string' ? patch : JSON.stringify(patch);
    const q = writeQuery(opts, opts.type === 'apply' && opts.force !== undefined ? { force: opts.force } : undefined);
    return this.call<R>('PATCH', this.objectPath(name, opts, undefined, opts.subresource) + q, body, opts, { 'content-type': patchContentTypes[opts.type] });
  }

  /** Deletes `name`; the answer is the object (still terminating: finalizers, grace) or a Status. */
  async delete(name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.call<T | Status>('DELETE', this.objectPath(name, opts), JSON.stringify(deleteBody(opts)), opts);
  }

  async deleteCollection(opts: ListOptions & DeleteOptions = {}): Promise<ObjectList<T> | Status> {
    const q = listQuery({ labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: opts.continue, resourceVersion: opts.resourceVersion, resourceVersionMatch: opts.resourceVersionMatch });
    return this.call<ObjectList<T> | Status>('DELETE', this.collectionPath(opts) + q, JSON.stringify(deleteBody(opts)), opts);
  }

  /** Starts a watch; events arrive through the returned stream (see watch/decoder.ts). */
  async watch(opts: WatchCallOptions = {}): Promise<WatchStream<T>> {
    const abort = new AbortController();
    const onOuterAbort = () => abort.abort(opts.signal?.reason);
    if (opts.signal?.aborted) abort.abort(opts.signal.reason);
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const q = queryString({
      watch: 1,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      resourceVersion: opts.resourceVersion,
      resourceVersionMatch: opts.resourceVersionMatch,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      timeoutSeconds: opts.timeoutSeconds,
      sendInitialEvents: opts.sendInitialEvents,
    });
    try {
      const res = await this.requester.stream({ method: 'GET', path: this.collectionPath(opts) + q, signal: abort.signal });
      return new WatchDecoder<T>(
        res.body,
        () => {
          opts.signal?.removeEventListener('abort', onOuterAbort);
          abort.abort();
        },
        opts.withoutManagedFields,
      );
    } catch (err) {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      throw err;
    }
  }

  // ---- subresources ------------------------------------------------------------------------

  async getSubresource<R>(name: string, subresource: string, opts: CallOptions = {}): Promise<R> {
    return this.call<R>('GET', this.objectPath(name, opts, undefined, subresource), undefined, opts);
  }

  /** POST to a subresource (binding, eviction, token). */
  async createSubresource<R>(name: string, subresource: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    return this.call<R>('POST', this.objectPath(name, opts, undefined, subresource) + writeQuery(opts), JSON.stringify(body), opts);
  }

  /** PUT to a subresource (status, scale). */
  async updateSubresource<R>(name: string, subresource: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    return this.call<R>('PUT', this.objectPath(name, opts, undefined, subresource) + writeQuery(opts), JSON.stringify(body), opts);
  }

  getScale(name: string, opts: CallOptions = {}): Promise<Scale> {
    return this.getSubresource<Scale>(name, 'scale', opts);
  }

  updateScale(name: string, scale: Scale, opts: WriteOptions = {}): Promise<Scale> {
    return this.updateSubresource<Scale>(name, 'scale', { apiVersion: 'autoscaling/v1', kind: 'Scale', ...scale }, opts);
  }

  /** pods/binding: what a scheduler does to place a pod. The server's answer (a Status) is not
   *  decoded, as client-go's Bind (Do(ctx).Error()); a failure throws its ApiError. */
  bind(name: string, binding: Binding, opts: WriteOptions = {}): Promise<void> {
    // Not async (a scheduler binds a thousand pods a second, each call a promise and a frame
    // kept while in flight); a failure to make the request still rejects.
    try {
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'Binding', ...binding });
      return this.requester.discard({ method: 'POST', path: this.objectPath(name, opts, undefined, 'binding') + writeQuery(opts), body, signal: opts.signal });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** pods/eviction: a PodDisruptionBudget-aware delete (429 when the budget forbids it). */
  evict(name: string, eviction: Eviction = {}, opts: WriteOptions = {}): Promise<Status> {
    const body = { apiVersion: 'policy/v1', kind: 'Eviction', ...eviction, metadata: { name, ...eviction.metadata } };
    return this.createSubresource<Status>(name, 'eviction', body, opts);
  }

  /** serviceaccounts/token: a TokenRequest answered with a signed token in status. */
  createToken(name: string, request: TokenRequest = { spec: { audiences: [] } }, opts: WriteOptions = {}): Promise<TokenRequest> {
    return this.createSubresource<TokenRequest>(name, 'token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', ...request }, opts);
  }

  // ---- plumbing ----------------------------------------------------------------------------

  /** One unary call; its 2xx answer decoded as JSON, or (`decode: false`) not at all. */
  private call<R>(method: TransportRequest['method'], path: string, body: string | undefined, opts: CallOptions & Partial<NoDecode>, headers?: Record<string, string>): Promise<R> {
    const req: TransportRequest = { method, path, body, signal: opts.signal, headers };
    return opts.decode === false ? (this.requester.discard(req) as Promise<never>) : this.requester.json<R>(req);
  }

  private objectNamespace(opts: NamespaceOption, obj?: KubeObject): string | undefined {
    if (!this.ref.namespaced) return undefined;
    return opts.namespace ?? this.namespace ?? obj?.metadata?.namespace ?? this.defaultNamespace;
  }

  private objectPath(name: string, opts: NamespaceOption, obj?: KubeObject, subresource?: string): string {
    return objectPath(this.ref, this.objectNamespace(opts, obj), name, subresource);
  }

  /** Collection path; `forObject` (create) resolves a namespace like object calls do. */
  private collectionPath(opts: NamespaceOption, obj?: KubeObject, forObject = false): string {
    const ns = forObject ? this.objectNamespace(opts, obj) : (opts.namespace ?? this.namespace);
    return collectionPath(this.ref, ns);
  }
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error('the object has no metadata.name');
  return name;
}

function listQuery(opts: ListOptions): string {
  return queryString({
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    limit: opts.limit,
    continue: opts.continue,
    resourceVersion: opts.resourceVersion,
    resourceVersionMatch: opts.resourceVersionMatch,
  });
}

function writeQuery(opts: WriteOptions, extra?: Record<string, boolean>): string {
  // Most writes set none of these: no URLSearchParams then.
  if (!opts.dryRun && !opts.fieldManager && !opts.fieldValidation && !extra) return '';
  return queryString({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager, fieldValidation: opts.fieldValidation, ...extra });
}

function deleteBody(opts: DeleteOptions): MetaDeleteOptions & { kind: string; apiVersion: string } {
  const body: MetaDeleteOptions & { kind: string; apiVersion: string } = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
  if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
  if (opts.preconditions) body.preconditions = opts.preconditions;
  if (opts.dryRun) body.dryRun = ['All'];
  return body;
}

/** The server leaves apiVersion/kind off list items (as upstream); fill them from the list so
 *  objects from a list and from a watch look the same to a cache. */
function withItemKinds<T extends KubeObject>(list: ObjectList<T>): ObjectList<T> {
  const kind = list.kind?.endsWith('List') ? list.kind.slice(0, -4) : undefined;
  if (!kind || !list.apiVersion) return list;
  for (const item of list.items ?? []) {
    item.apiVersion ??= list.apiVersion;
    item.kind ??= kind;
  }
  list.items ??= [];
  return list;
}
