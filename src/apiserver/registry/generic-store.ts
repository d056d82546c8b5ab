// One create/read/update/delete/list path for every resource (upstream:
// registry/generic/registry/store.go). A resource contributes only its strategy hooks; the
// status subresource reuses the strategy with the halves swapped.
//
// Reads with no resourceVersion are consistent: they wait until the watch cache holds every
// write acknowledged before the request, then answer from memory. Writes go to storage with a
// precondition on the modification revision read, and retry only when the client gave no
// resourceVersion of its own (GuaranteedUpdate).
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { copyJson } from '../../api/json-copy.js';
import type { KubeObject, StoredObject } from '../../api/object.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  invalid,
  notFound,
  StatusError,
  staleResourceVersion,
  type FieldError,
} from '../../api/status.js';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError, type Store } from '../../storage/store.js';
import { admissionPassed, type AdmissionAttributes, type AdmissionChain } from '../admission/admission.js';
import { decodeStored, TooOldResourceVersionError, type CacheEvent, type WatchCache } from '../watch-cache.js';
import { formatTime, type RequestContext } from './context.js';
import { storedText } from './object-json.js';
import { sameExceptManagedFieldTimes } from './same-object.js';
import { listPrefix, objectKey, type ResourceEntry } from './resource-entry.js';
import { convertingWatchSink } from './converting-watch-sink.js';

export type ObjectFilter = (obj: StoredObject) => boolean;

export interface ListOptions {
  filter?: ObjectFilter;
  /** True when no selector narrows the list (then remainingItemCount is exact). */
  unfiltered?: boolean;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: StoredObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  /** Deprecated for propagationPolicy, which wins when both are given (the handler refuses that). */
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** The DeleteOptions a delete's admission is given (upstream's, as meta.k8s.io/v1): what the client asked. */
function admissionDeleteOptions(o: DeleteOptions, ctx: RequestContext): Record<string, unknown> {
  return {
    kind: 'DeleteOptions',
    apiVersion: 'meta.k8s.io/v1',
    ...(o.gracePeriodSeconds !== undefined && { gracePeriodSeconds: o.gracePeriodSeconds }),
    ...(o.preconditions && { preconditions: o.preconditions }),
    ...(o.orphanDependents !== undefined && { orphanDependents: o.orphanDependents }),
    ...(o.propagationPolicy && { propagationPolicy: o.propagationPolicy }),
    ...(ctx.dryRun && { dryRun: ['All'] }),
  };
}

export interface DeleteResult {
  object: StoredObject;
  /** False when the object remains (finalizers pending or graceful pod termination). */
  deleted: boolean;
}

/** Tracks metadata.managedFields on writes (server-side apply's bookkeeping). */
export interface ManagedFieldsTracker {
  update(entry: ResourceEntry, old: KubeObject | undefined, updated: KubeObject, ctx: RequestContext, subresource: string): void;
}

export interface WatchStartOptions {
  filter?: ObjectFilter;
  resourceVersion?: string;
  /** Send the current state as synthetic ADDED events first (RV unset/"0", or sendInitialEvents). */
  initialEvents: boolean;
}

export interface WatchHandle {
  stop(): void;
  /** Events the watch has taken but not yet given to the sink (conversions running). */
  pending(): number;
}

export interface WatchSink {
  event(type: CacheEvent['type'], obj: StoredObject): void;
  /** Initial events (if asked for) are all sent; `revision` is the state they represent. */
  initialEventsDone(revision: number): void;
  close(err?: StatusError): void;
}

const continueTooOld =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

const nameSuffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
// Upstream's GuaranteedUpdate retries storage conflicts without a limit: every round has a winner, so
// N racing writers finish in N rounds. The bound only guards against a livelock bug.
const maxUpdateRetries = 1000;

export interface UpdateOptions {
  /** A missing object is created by this instead (server-side apply). */
  createIfMissing?: (ctx: RequestContext) => Promise<StoredObject>;
  /**
   * `mutate` returns a new object on every call, which nothing else holds or changes (it may
   * share subtrees with `current`, which is this attempt's own read): it is used without a copy.
   */
  freshResult?: boolean;
  /**
   * Validates only what this write can have changed (a subresource that sets a few fields);
   * when it finds nothing the whole-object validation is skipped.
   */
  validateChanges?: (next: KubeObject, current: StoredObject) => FieldError[];
  /**
   * The first attempt may read the object from the watch cache instead of storage. The
   * cached object is shared: only for writes whose whole path (mutate, the strategy, admission)
   * never modifies the current object or anything taken over from it — subresource writes
   * that replace status or copy along the paths they change.
   */
  cacheFirst?: boolean;
}

export interface GenericStoreOptions {
  store: Store;
  cache: WatchCache;
  admission: AdmissionChain;
  managedFields?: ManagedFieldsTracker;
}

export class GenericStore {
  private readonly store: Store;
  private readonly cache: WatchCache;
  private readonly admission: AdmissionChain;
  private managedFields: ManagedFieldsTracker | undefined;
  /** Called after an object is removed from storage (e.g. to release its ClusterIP). */
  readonly afterDelete: ((entry: ResourceEntry, obj: StoredObject) => void)[] = [];

  constructor(opts: GenericStoreOptions) {
    this.store = opts.store;
    this.cache = opts.cache;
    this.admission = opts.admission;
    this.managedFields = opts.managedFields;
  }

  setManagedFieldsTracker(t: ManagedFieldsTracker): void {
    this.managedFields = t;
  }

  /**
   * Admission of a create on a subresource that stores no object of its own (pods/eviction,
   * serviceaccounts/token): upstream's create handler runs both phases before the REST call, so
   * webhooks and NodeRestriction see the Eviction or TokenRequest.
   */
  admitSubresourceCreate(entry: ResourceEntry, subresource: string, namespace: string, name: string, object: KubeObject, ctx: RequestContext): Promise<void> {
    return this.admitThenValidate({ operation: 'CREATE', entry, subresource, namespace, name, object, ctx });
  }

  /**
   * Admission of a CONNECT (exec, attach, port-forward, proxy), whose object is the connect
   * options: upstream's connect handler runs both phases before it connects. `options` is
   * changed in place by mutating admission.
   */
  admitConnect(entry: ResourceEntry, subresource: string, namespace: string, name: string, options: KubeObject, ctx: RequestContext): Promise<void> {
    return this.admitThenValidate({ operation: 'CONNECT', entry, subresource, namespace, name, object: options, ctx });
  }

  /** Both admission phases, for a request with no step of the store's own between them. */
  private async admitThenValidate(attrs: AdmissionAttributes): Promise<void> {
    const admitted = this.admission.admit(attrs);
    if (admitted !== admissionPassed) await admitted;
    const validated = this.admission.validate(attrs);
    if (validated !== admissionPassed) await validated;
  }

  // ---- reads ------------------------------------------------------------------------------

  /** GET: consistent unless resourceVersion is given (then any cached state at least that new). */
  async get(entry: ResourceEntry, namespace: string, name: string, resourceVersion?: string): Promise<StoredObject> {
    if (resourceVersion && resourceVersion !== '0') await this.waitForResourceVersion(parseRV(resourceVersion));
    else if (!resourceVersion) await this.cache.syncToStore();
    const obj = this.cache.resourceFor(entry.prefix).objects.get(objectKey(entry, namespace, name));
    if (!obj) throw notFound(entry.gr, name);
    return entry.convertAsync ? presentOne(entry, obj) : out(entry, obj);
  }

  /** Reads straight from storage (used by writes, which need the modRevision). */
  private async getFromStore(entry: ResourceEntry, key: string, name: string): Promise<{ obj: StoredObject; modRevision: number }> {
    const kv = await this.store.get(key);
    if (!kv) throw notFound(entry.gr, name);
    const stored = decodeStored(kv.value, kv.modRevision);
    return { obj: entry.convertAsync ? await presentOne(entry, stored) : out(entry, stored), modRevision: kv.modRevision };
  }

  async list(entry: ResourceEntry, namespace: string, opts: ListOptions): Promise<ListResult> {
    const prefix = listPrefix(entry, namespace);
    const filter = opts.filter ?? (() => true);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    if (opts.continueToken) return this.listContinue(entry, prefix, opts.continueToken, filter, limit);

    const rv = opts.resourceVersion;
    if (opts.resourceVersionMatch === 'Exact') {
      if (!rv || rv === '0') throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch "Exact" is forbidden for resourceVersion "0"');
      return this.listFromStore(entry, prefix, parseRV(rv), undefined, filter, limit, 'The resourceVersion for the provided list is too old.');
    }
    if (opts.resourceVersionMatch && opts.resourceVersionMatch !== 'NotOlderThan') {
      throw badRequest(`resourceVersionMatch: Unsupported value: "${opts.resourceVersionMatch}": supported values: "Exact", "NotOlderThan", ""`);
    }
    if (opts.resourceVersionMatch === 'NotOlderThan' && !rv) {
      throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    }
    if (rv && rv !== '0') await this.waitForResourceVersion(parseRV(rv));
    else if (!rv) await this.cache.syncToStore();

    const rc = this.cache.resourceFor(entry.prefix);
    const revision = this.cache.revision;
    const items: StoredObject[] = [];
    const keys = rc.keys();
    let i = lowerBound(keys, prefix);
    let lastKey = '';
    let matchedAfterLimit = 0;
    for (; i < keys.length && keys[i].startsWith(prefix); i++) {
      const obj = out(entry, rc.objects.get(keys[i])!);
      if (!filter(obj)) continue;
      if (limit && items.length >= limit) {
        matchedAfterLimit++;
        if (!opts.unfiltered) break;
        continue;
      }
      items.push(obj);
      lastKey = keys[i];
    }
    // A webhook-converted resource is filtered as stored (as upstream's cache filters), then
    // what is returned is converted in one call.
    const result: ListResult = { items: entry.convertAsync ? await presentList(entry, items) : items, resourceVersion: String(revision) };
    if (matchedAfterLimit > 0) {
      result.continueToken = encodeContinue(revision, lastKey.slice(entry.prefix.length) + '\u0000');
      if (opts.unfiltered) result.remainingItemCount = matchedAfterLimit;
    }
    return result;
  }

  private async listContinue(entry: ResourceEntry, prefix: string, token: string, filter: ObjectFilter, limit: number): Promise<ListResult> {
    const { revision, start } = decodeContinue(token);
    const startKey = entry.prefix + start;
    if (!startKey.startsWith(prefix)) throw badRequest('continue key is not valid: the key does not belong to the list');
    return this.listFromStore(entry, prefix, revision, startKey, filter, limit, continueTooOld);
  }

  /** A list at an exact past revision, read from storage (continue tokens, resourceVersionMatch=Exact). */
  private async listFromStore(entry: ResourceEntry, prefix: string, revision: number, startKey: string | undefined, filter: ObjectFilter, limit: number, tooOld: string): Promise<ListResult> {
    const items: StoredObject[] = [];
    let next = startKey;
    let more = false;
    let lastKey = '';
    try {
      for (;;) {
        const page = await this.store.list(prefix, { revision, startKey: next, limit: limit ? Math.max(limit - items.length, 1) * 2 : 0 });
        let i = 0;
        for (; i < page.items.length; i++) {
          const kv = page.items[i];
          const obj = out(entry, decodeStored(kv.value, kv.modRevision));
          if (!filter(obj)) continue;
          if (limit && items.length >= limit) {
            more = true;
            break;
          }
          items.push(obj);
          lastKey = kv.key;
        }
        if (more || !page.more) break;
        next = page.items[page.items.length - 1].key + '\u0000';
      }
    } catch (err) {
      if (err instanceof CompactedError) throw expired(tooOld);
      throw err;
    }
    const result: ListResult = { items: entry.convertAsync ? await presentList(entry, items) : items, resourceVersion: String(revision) };
    if (more) result.continueToken = encodeContinue(revision, lastKey.slice(entry.prefix.length) + '\u0000');
    return result;
  }

  private async waitForResourceVersion(rv: number): Promise<void> {
    if (this.cache.revision >= rv) return;
    const current = await this.store.currentRevision();
    if (rv > current) {
      // Upstream waits up to 3 s for a future resourceVersion, then answers 504 "Too large resource version".
      if (!(await this.cache.waitFresh(rv, 3000))) {
        throw new StatusError(504, 'Timeout', `Too large resource version: ${rv}, current: ${this.cache.revision}`, {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        });
      }
      return;
    }
    await this.cache.waitFresh(rv);
  }

  // ---- watch -------------------------------------------------------------------------------

  /**
   * Starts a watch. Events are delivered synchronously to the sink, except for a resource
   * converted by a webhook: its events are filtered as stored (as upstream's cache filters) and
   * reach the sink in order once converted.
   */
  async watch(entry: ResourceEntry, namespace: string, opts: WatchStartOptions, watcher: WatchSink): Promise<WatchHandle> {
    const converting = entry.convertAsync ? convertingWatchSink(entry, watcher) : undefined;
    const sink = converting ?? watcher;
    const prefix = listPrefix(entry, namespace);
    const filter = opts.filter ?? (() => true);
    const rc = this.cache.resourceFor(entry.prefix);
    const rvString = opts.resourceVersion ?? '';
    let replay: CacheEvent[] = [];
    if (opts.initialEvents) {
      if (!rvString) await this.cache.syncToStore();
      else if (rvString !== '0') await this.waitForResourceVersion(parseRV(rvString));
    } else {
      const rv = parseRV(rvString);
      if (rv > this.cache.revision) await this.waitForResourceVersion(rv);
      try {
        replay = rc.eventsAfter(rv);
      } catch (err) {
        if (err instanceof TooOldResourceVersionError) {
          sink.close(expired(err.message));
          return { stop: () => {}, pending: () => 0 };
        }
        throw err;
      }
    }
    const deliver = (raw: CacheEvent) => {
      if (!raw.key.startsWith(prefix)) return;
      const ev = entry.convert ? { ...raw, object: out(entry, raw.object), prevObject: raw.prevObject && out(entry, raw.prevObject) } : raw;
      const now = ev.type !== 'DELETED' && filter(ev.object);
      const before = ev.prevObject !== undefined && ev.type !== 'ADDED' && filter(ev.prevObject);
      if (ev.type === 'DELETED') {
        if (filter(ev.object)) sink.event('DELETED', ev.object);
      } else if (now && before) sink.event('MODIFIED', ev.object);
      else if (now) sink.event('ADDED', ev.object);
      else if (before) sink.event('DELETED', ev.object);
    };
    // Registering and snapshotting happen in one synchronous step, so no event falls between them.
    const remove = rc.addWatcher({ onEvent: deliver, onClose: () => sink.close() }, this.cache.revision);
    if (opts.initialEvents) {
      const keys = rc.keys();
      for (let i = lowerBound(keys, prefix); i < keys.length && keys[i].startsWith(prefix); i++) {
        const obj = out(entry, rc.objects.get(keys[i])!);
        if (filter(obj)) sink.event('ADDED', obj);
      }
      sink.initialEventsDone(this.cache.revision);
    } else {
      for (const ev of replay) deliver(ev);
    }
    return { stop: remove, pending: converting ? converting.pending : () => 0 };
  }

  /** A revision every watcher has been sent all events up to (safe for bookmarks). */
  get currentRevision(): number {
    return this.cache.dispatchedRevision;
  }

  // ---- create ------------------------------------------------------------------------------

  /** Creates `obj`, which the store takes over (it is modified and may end up in the watch cache: callers pass a fresh object and do not touch it afterwards). */
  async create(entry: ResourceEntry, namespace: string, obj: KubeObject, ctx: RequestContext): Promise<StoredObject> {
    const meta = (obj.metadata ??= {});
    if (entry.type.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    let generated = false;
    if (!meta.name) {
      if (!meta.generateName) {
        throw invalid(entry.type.kind, entry.type.group, '', [
          { type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' },
        ]);
      }
      meta.name = generateName(meta.generateName);
      generated = true;
    }
    const name = meta.name;
    if (meta.resourceVersion) {
      // Upstream: "resourceVersion should not be set on objects to be created"
      throw badRequest('resourceVersion should not be set on objects to be created');
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = formatTime(ctx.now);
    deleteOwn(meta, 'deletionTimestamp');
    deleteOwn(meta, 'deletionGracePeriodSeconds');
    deleteOwn(meta, 'selfLink');
    entry.strategy.defaults?.(obj);
    // Upstream records the creator's ownership of the (defaulted) object before the strategy and
    // admission add server-set fields (status, allocated IPs, priority), which nobody owns.
    if (!ctx.managedFieldsSet) this.managedFields?.update(entry, undefined, obj, ctx, '');
    // (the tracker may have replaced obj.metadata)
    if (entry.tracksGeneration) obj.metadata!.generation = 1;
    else deleteOwn(obj.metadata!, 'generation');
    // Upstream's order: mutating admission, then the strategy (PrepareForCreate), then validation.
    const admitted = this.admitCreate(entry, namespace, obj, name, generated, ctx);
    if (admitted !== admissionPassed) await admitted;
    const ready = entry.strategy.ready?.(obj);
    if (ready) await ready;
    entry.strategy.prepareForCreate?.(obj);
    this.validate(entry, obj, undefined);
    const validated = this.admission.validate({ operation: 'CREATE', entry, subresource: '', namespace, name, object: obj, ctx });
    if (validated !== admissionPassed) await validated;
    const key = objectKey(entry, namespace, name);
    if (ctx.dryRun) {
      if (await this.store.get(key)) throw alreadyExists(entry.gr, name);
      return obj as StoredObject;
    }
    try {
      // A resource stored as another version's objects (events.k8s.io Events) hands the cache
      // the stored form it converted to: that is what the cache keeps, not parsed back either.
      const storedObj = entry.convertAsync ? await entry.convertAsync.toStorage(obj) : toStorage(entry, obj);
      const stored = storedText(storedObj);
      this.cache.expectWrite(key, stored, storedObj as StoredObject);
      const kv = await this.store.create(key, stored.text);
      // A webhook's conversion need not round-trip: the answer is what was stored, read back
      // through it, as upstream decodes what it wrote.
      if (entry.convertAsync) return presentWritten(entry, storedObj, kv.modRevision);
      // The stored value is exactly `obj` (or its stored form, which may share its metadata and
      // gets the same revision in the cache); reuse it instead of parsing it back.
      obj.metadata!.resourceVersion = String(kv.modRevision);
      return obj as StoredObject;
    } catch (err) {
      if (err instanceof KeyExistsError) throw alreadyExists(entry.gr, name);
      throw err;
    }
  }

  /**
   * Mutating admission of a create. Upstream's create handler runs it before the store generates
   * the name, so with generateName its plugins see no name — and admission.NewForbidden names
   * the generateName: `pods "web-" is forbidden: …`. Validating admission, after the name is
   * generated, names the object itself. (The name is generated earlier here because defaulting
   * reads it; it is kept off the object while mutating admission runs.)
   */
  private admitCreate(entry: ResourceEntry, namespace: string, obj: KubeObject, name: string, generated: boolean, ctx: RequestContext): Promise<void> {
    if (!generated) return this.admission.admit({ operation: 'CREATE', entry, subresource: '', namespace, name, object: obj, ctx });
    return this.admitGeneratedName(entry, namespace, obj, name, ctx);
  }

  private async admitGeneratedName(entry: ResourceEntry, namespace: string, obj: KubeObject, name: string, ctx: RequestContext): Promise<void> {
    delete obj.metadata!.name;
    try {
      await this.admission.admit({ operation: 'CREATE', entry, subresource: '', namespace, name: '', generatedName: name, object: obj, ctx });
    } finally {
      (obj.metadata ??= {}).name = name;
    }
  }

  private validate(entry: ResourceEntry, obj: KubeObject, old: KubeObject | undefined): void {
    const own = entry.strategy.validate?.(obj) ?? [];
    // A built-in kind's update rules include its create rules (upstream's ValidateUpdate calls
    // them): each error is reported once.
    const errors: FieldError[] = old ? withoutRepeats([...own, ...(entry.strategy.validateUpdate?.(obj, old) ?? [])]) : own;
    if (errors.length) throw invalid(entry.type.kind, entry.type.group, obj.metadata?.name ?? '', errors);
  }

  // ---- update ------------------------------------------------------------------------------

  /**
   * Reads the object, lets `mutate` produce its new state, and writes it with a precondition on
   * the revision read. When the new state carries a resourceVersion the client asked for
   * optimistic concurrency: a mismatch is a 409. Otherwise a lost race is retried.
   */
  async update(
    entry: ResourceEntry,
    namespace: string,
    name: string,
    subresource: string,
    ctx: RequestContext,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: UpdateOptions = {},
  ): Promise<StoredObject> {
    const key = objectKey(entry, namespace, name);
    for (let attempt = 0; ; attempt++) {
      // The first attempt may start from the watch cache's copy (upstream's GuaranteedUpdate
      // does the same): the write's precondition is that copy's revision, so a stale copy only
      // costs a conflict. Anything a stale copy decided — a conflict, an error, a no-op — is
      // decided again on what storage holds.
      let current: StoredObject | undefined;
      let modRevision = 0;
      let guess = false;
      if (attempt === 0 && opts.cacheFirst && !ctx.dryRun && !entry.convert && !entry.convertAsync) {
        current = this.cache.resourceFor(entry.prefix).objects.get(key);
        if (current) {
          modRevision = Number(current.metadata.resourceVersion);
          guess = true;
        }
      }
      if (!current) {
        const kv = await this.store.get(key);
        if (!kv) {
          if (opts.createIfMissing) return opts.createIfMissing(ctx);
          throw notFound(entry.gr, name);
        }
        const stored = decodeStored(kv.value, kv.modRevision);
        current = entry.convertAsync ? await presentOne(entry, stored) : out(entry, stored);
        modRevision = kv.modRevision;
      }
      let wantedRV: string | undefined;
      try {
        // `mutate` must not modify `current` (patches and subresource handlers build new objects);
        // its result is copied because a caller may return the same object on every retry, unless
        // the caller promises a new object each time.
        const mutated = await mutate(current);
        const proposed = opts.freshResult ? mutated : copyJson(mutated);
        wantedRV = proposed.metadata?.resourceVersion;
        if (wantedRV && wantedRV !== current.metadata.resourceVersion) throw staleResourceVersion(entry.gr, name);
        // Built-in kinds allow unconditional updates (upstream AllowUnconditionalUpdate): the write is then based on what was read.
        if (!wantedRV) (proposed.metadata ??= {}).resourceVersion = current.metadata.resourceVersion;
        const ready = entry.strategy.ready?.(proposed);
        if (ready) await ready;
        const next = this.prepareUpdate(entry, subresource, proposed, current, namespace, name);
        const admitted = this.admission.admit({ operation: 'UPDATE', entry, subresource, namespace, name, object: next, oldObject: current, ctx });
        if (admitted !== admissionPassed) await admitted;
        // Server-side subresources (binding, scale, finalize) change what the main resource may not.
        // A caller that knows which fields its write can change checks only those; the whole
        // object is validated (for the complete error list) only when they are wrong.
        if (!opts.validateChanges || opts.validateChanges(next, current).length) this.validate(entry, next, isServerSubresource(subresource) ? undefined : current);
        const validated = this.admission.validate({ operation: 'UPDATE', entry, subresource, namespace, name, object: next, oldObject: current, ctx });
        if (validated !== admissionPassed) await validated;
        if (!ctx.managedFieldsSet) this.managedFields?.update(entry, current, next, ctx, subresource);
        const meta = next.metadata!;
        meta.resourceVersion = current.metadata.resourceVersion;
        if (sameExceptManagedFieldTimes(next, current)) {
          // A no-op on the cached copy stands if storage still holds that revision.
          if (guess && (await this.store.get(key))?.modRevision !== modRevision) continue;
          return current;
        }
        const finished = meta.deletionTimestamp && !(meta.finalizers?.length) && !hasNamespaceFinalizers(entry, next) && !isGracefullyTerminatingPod(entry, next);
        if (ctx.dryRun) return next as StoredObject;
        if (finished) {
          const gone = await this.store.delete(key, modRevision);
          const obj = decodeStored(serialize(next), gone.modRevision);
          this.runAfterDelete(entry, obj);
          return obj;
        }
        const storedObj = entry.convertAsync ? await entry.convertAsync.toStorage(next) : toStorage(entry, next);
        const stored = storedText(storedObj);
        this.cache.expectWrite(key, stored, storedObj as StoredObject);
        const written = await this.store.update(key, stored.text, modRevision);
        if (entry.convertAsync) return presentWritten(entry, storedObj, written.modRevision);
        next.metadata!.resourceVersion = String(written.modRevision);
        return next as StoredObject;
      } catch (err) {
        if (guess) continue;
        if (err instanceof ConflictError || err instanceof KeyNotFoundError) {
          if (wantedRV) throw staleResourceVersion(entry.gr, name);
          if (attempt < maxUpdateRetries) continue;
          throw conflict(entry.gr, name, 'too many concurrent updates, please retry');
        }
        throw err;
      }
    }
  }

  /** Applies the strategy to an update: identity fields, status/spec halves, generation. */
  private prepareUpdate(entry: ResourceEntry, subresource: string, proposed: KubeObject, current: StoredObject, namespace: string, name: string): KubeObject {
    let next: KubeObject;
    if (isServerSubresource(subresource)) {
      // The subresource handler built the whole new object from the current one; keep identity only.
      next = proposed;
      next.metadata = { ...proposed.metadata, name, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp };
      if (entry.type.namespaced) next.metadata.namespace = namespace;
      if (current.metadata.generation !== undefined && specChanged(next, current)) next.metadata.generation = current.metadata.generation + 1;
    } else if (subresource === 'status' && entry.hasStatus) {
      // Status writes change only status (and nothing in metadata but what the client may not
      // touch anyway). Everything else is `current`'s own subtrees, shared, not copied: `current`
      // is this attempt's private read, nothing after this point modifies the new object in
      // place outside status and metadata, and shared subtrees make the comparisons below
      // (managed fields, no-op detection) stop at identical references.
      next = { ...current } as KubeObject;
      if (proposed.status === undefined) delete next.status;
      else next.status = proposed.status;
      next.metadata = { ...current.metadata, managedFields: proposed.metadata?.managedFields ?? current.metadata.managedFields };
    } else {
      next = proposed;
      next.apiVersion = current.apiVersion;
      next.kind = current.kind;
      const meta = (next.metadata ??= {});
      if (meta.name !== undefined && meta.name !== name) {
        throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
      }
      meta.name = name;
      if (entry.type.namespaced) {
        if (meta.namespace && meta.namespace !== namespace) {
          throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
        }
        meta.namespace = namespace;
      }
      // Fields only the server sets.
      meta.uid = current.metadata.uid;
      meta.creationTimestamp = current.metadata.creationTimestamp;
      if (current.metadata.deletionTimestamp) {
        meta.deletionTimestamp = current.metadata.deletionTimestamp;
        meta.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
      } else {
        delete meta.deletionTimestamp;
        delete meta.deletionGracePeriodSeconds;
      }
      meta.generation = current.metadata.generation;
      if (meta.generation === undefined) delete meta.generation;
      if (entry.hasStatus) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      entry.strategy.defaults?.(next);
      entry.strategy.prepareForUpdate?.(next, current);
      if (current.metadata.generation !== undefined && specChanged(next, current)) meta.generation = current.metadata.generation + 1;
      // Removing finalizers from an object being deleted may not add new ones (upstream forbids adding).
    }
    return next;
  }

  // ---- delete ------------------------------------------------------------------------------

  async delete(entry: ResourceEntry, namespace: string, name: string, options: DeleteOptions, ctx: RequestContext): Promise<DeleteResult> {
    const key = objectKey(entry, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const { obj: current, modRevision } = await this.getFromStore(entry, key, name);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(entry.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(entry.gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      // Upstream's AdmissionToValidateObjectDeleteFunc: mutating admission (which may not change
      // anything: a webhook's patch fails the request), then validating.
      await this.admitThenValidate({ operation: 'DELETE', entry, subresource: '', namespace, name, object: current, oldObject: current, options: admissionDeleteOptions(options, ctx), ctx });
      const next = copyJson(current);
      if (!next.metadata.deletionTimestamp) entry.strategy.prepareForDelete?.(next);
      const pending = this.beforeDelete(entry, next, options, ctx);
      try {
        if (pending) {
          if (isDeepStrictEqual(next, current)) return { object: current, deleted: false };
          if (ctx.dryRun) return { object: next, deleted: false };
          const storedObj = entry.convertAsync ? await entry.convertAsync.toStorage(next) : toStorage(entry, next);
          const kv = await this.store.update(key, serialize(storedObj), modRevision);
          const written = decodeStored(kv.value, kv.modRevision);
          return { object: entry.convertAsync ? await presentOne(entry, written) : out(entry, written), deleted: false };
        }
        if (ctx.dryRun) return { object: current, deleted: true };
        const gone = await this.store.delete(key, modRevision);
        const goneObj = decodeStored(gone.value, gone.modRevision);
        const obj = entry.convertAsync ? await presentOne(entry, goneObj) : out(entry, goneObj);
        this.runAfterDelete(entry, obj);
        return { object: obj, deleted: true };
      } catch (err) {
        if (err instanceof KeyNotFoundError) throw notFound(entry.gr, name);
        if (err instanceof ConflictError && attempt < maxUpdateRetries) continue;
        throw err;
      }
    }
  }

  private runAfterDelete(entry: ResourceEntry, obj: StoredObject): void {
    for (const hook of this.afterDelete) hook(entry, obj);
  }

  /**
   * Sets deletionTimestamp and the garbage collector's finalizers when the object cannot go at
   * once (upstream: BeforeDelete + deletionFinalizersForGarbageCollection). Returns true if the
   * object stays for now.
   */
  private beforeDelete(entry: ResourceEntry, obj: StoredObject, options: DeleteOptions, ctx: RequestContext): boolean {
    const meta = obj.metadata;
    const finalizers = new Set(meta.finalizers ?? []);
    const orphan = options.orphanDependents;
    const policy = options.propagationPolicy ?? (orphan === undefined ? undefined : orphan ? 'Orphan' : 'Background');
    if (policy === 'Orphan') {
      finalizers.add('orphan');
      finalizers.delete('foregroundDeletion');
    } else if (policy === 'Foreground') {
      finalizers.add('foregroundDeletion');
      finalizers.delete('orphan');
    } else if (policy === 'Background') {
      finalizers.delete('orphan');
      finalizers.delete('foregroundDeletion');
    }
    const pod = entry.type.group === '' && entry.type.plural === 'pods';
    const ns = entry.type.group === '' && entry.type.plural === 'namespaces';
    let grace = 0;
    if (pod) {
      const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
      const phase = (obj.status as { phase?: string } | undefined)?.phase;
      grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
      // Unscheduled or finished pods have no kubelet to wait for: they go at once.
      if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
      if (meta.deletionGracePeriodSeconds !== undefined && meta.deletionGracePeriodSeconds < grace) grace = meta.deletionGracePeriodSeconds;
    }
    const nsFinalizers = ns ? ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
    if (finalizers.size === 0 && grace === 0 && nsFinalizers.length === 0) return false;
    if (finalizers.size) meta.finalizers = [...finalizers];
    else delete meta.finalizers;
    if (!meta.deletionTimestamp || (pod && grace < (meta.deletionGracePeriodSeconds ?? Infinity))) {
      meta.deletionTimestamp = formatTime(new Date(ctx.now.getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
      if (meta.generation !== undefined) meta.generation++;
    }
    if (ns) (obj.status as { phase?: string }) = { ...(obj.status as object), phase: 'Terminating' };
    return true;
  }
}

/**
 * Removes a field the object has. A create's metadata rarely has the fields it clears: asking
 * first skips a runtime call per field (a delete of a missing key still makes one).
 */
function deleteOwn(o: object, key: string): void {
  if (Object.hasOwn(o, key)) delete (o as Record<string, unknown>)[key];
}

/** Subresources whose handlers are server code that computes the full new object. */
function isServerSubresource(subresource: string): boolean {
  return subresource !== '' && subresource !== 'status';
}

function hasNamespaceFinalizers(entry: ResourceEntry, obj: KubeObject): boolean {
  return entry.type.group === '' && entry.type.plural === 'namespaces' && ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length ?? 0) > 0;
}

/** The object as this resource's version presents it (identity unless it shares storage). */
function out(entry: ResourceEntry, obj: StoredObject): StoredObject {
  return entry.convert ? (entry.convert.fromStorage(obj) as StoredObject) : obj;
}

/** A stored object as a resource converted by a webhook presents it (a conversion call). */
async function presentOne(entry: ResourceEntry, obj: StoredObject): Promise<StoredObject> {
  const [converted] = await entry.convertAsync!.fromStorage([obj], false);
  return converted as StoredObject;
}

async function presentList(entry: ResourceEntry, objs: StoredObject[]): Promise<StoredObject[]> {
  return (await entry.convertAsync!.fromStorage(objs, true)) as StoredObject[];
}

/** What a write stored, at its revision, as a webhook-converted resource presents it; the stored object itself is the cache's and stays unchanged. */
function presentWritten(entry: ResourceEntry, storedObj: KubeObject, revision: number): Promise<StoredObject> {
  const written = { ...storedObj, metadata: { ...storedObj.metadata, resourceVersion: String(revision) } } as StoredObject;
  return presentOne(entry, written);
}

/** The stored form of an object of this resource's version. */
function toStorage(entry: ResourceEntry, obj: KubeObject): KubeObject {
  return entry.convert ? entry.convert.toStorage(obj) : obj;
}

function isGracefullyTerminatingPod(entry: ResourceEntry, obj: KubeObject): boolean {
  return entry.type.group === '' && entry.type.plural === 'pods' && (obj.metadata?.deletionGracePeriodSeconds ?? 0) > 0;
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!isDeepStrictEqual(a[k], b[k])) return true;
  }
  return false;
}

/** Stored form: the object without resourceVersion (derived from the storage revision on read). */
export function serialize(obj: KubeObject): string {
  const meta = obj.metadata;
  if (meta?.resourceVersion === undefined) return JSON.stringify(obj);
  const { resourceVersion: _rv, ...rest } = meta;
  return JSON.stringify({ ...obj, metadata: rest });
}

export function generateName(prefix: string): string {
  let s = prefix;
  for (let i = 0; i < 5; i++) s += nameSuffixAlphabet[Math.floor(Math.random() * nameSuffixAlphabet.length)];
  return s;
}

export function parseRV(rv: string): number {
  if (rv === '' || rv === undefined) return 0;
  if (!/^\d+$/.test(rv)) {
    const err = badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
    throw err;
  }
  return Number(rv);
}

function lowerBound(keys: string[], prefix: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(revision: number, start: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv: revision, start };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(token: string): { revision: number; start: string } {
  let parsed: ContinueToken;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (parsed?.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string' || parsed.start.includes('..')) {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  return { revision: parsed.rv, start: parsed.start };
}

export { StatusError };

/** The errors with each one (type, field, message, value) kept the first time only. */
function withoutRepeats(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = JSON.stringify([e.type, e.field, e.detail, e.value]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
