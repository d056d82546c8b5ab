// The API server's one watch on storage, fanned out from memory (upstream: storage/cacher).
// At start it lists every key at a recent revision and replays the log from there, so the
// history window already covers the last `historyCapacity` writes after a restart and clients
// can resume watches from the resourceVersion they last saw.
//
// Contract: objects held here (and handed out by snapshot/list/events) are shared and must never
// be mutated; callers clone before changing anything. Events are applied and dispatched in
// revision order on the event loop, so when `revision` is R every event <= R has been delivered
// to every watcher registered before it.
import type { Store, WatchEvent, Watcher as StoreWatcher } from '../storage/store.js';
import type { StoredObject } from '../api/object.js';
import { rememberJSON, withResourceVersion, type StoredText } from './registry/object-json.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: EventType;
  key: string;
  object: StoredObject;
  prevObject?: StoredObject;
  revision: number;
}

export interface CacheWatcher {
  /** Called with every event of the resource after `sinceRevision`, in order; the watcher filters. */
  onEvent(ev: CacheEvent): void;
  /** The watch cache stopped (storage watch failed); the watcher must end its stream. */
  onClose(err: Error): void;
}

export class TooOldResourceVersionError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

/** The cached state of one resource (all keys under one prefix, e.g. /registry/apps/deployments/). */
export class ResourceCache {
  readonly objects = new Map<string, StoredObject>();
  /** Counts applied events: a reader that derives state from `objects` knows when to derive it again. */
  changes = 0;
  /** Told of each event as it is applied, with `objects` (unlike watchers, which hear of it later). */
  private readonly observers: ((ev: CacheEvent) => void)[] = [];
  private sortedKeys: string[] | undefined;
  private readonly history: CacheEvent[] = [];
  private historyHead = 0;
  /** Every event with revision > historyStart is in `history`. */
  private historyStart: number;
  /** Each watcher with the revision its snapshot (initial state or replay) already covers. */
  private readonly watchers = new Map<CacheWatcher, number>();

  constructor(
    readonly prefix: string,
    startRevision: number,
    private readonly capacity: number,
  ) {
    this.historyStart = startRevision;
  }

  /** Keys in storage order (bytewise), cached until the key set changes. */
  keys(): string[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.objects.keys()].sort(compareKeys);
    return this.sortedKeys;
  }

  /** Updates the state and history at once (reads see it); watchers are told later by dispatch(). */
  apply(ev: CacheEvent): void {
    this.changes++;
    if (ev.type === 'DELETED') {
      this.objects.delete(ev.key);
      this.sortedKeys = undefined;
    } else {
      if (!this.objects.has(ev.key)) this.sortedKeys = undefined;
      this.objects.set(ev.key, ev.object);
    }
    for (let i = 0; i < this.observers.length; i++) this.observers[i](ev);
    this.history.push(ev);
    if (this.history.length - this.historyHead > this.capacity) {
      this.historyStart = this.history[this.historyHead].revision;
      this.historyHead++;
      if (this.historyHead > 4096 && this.historyHead * 2 > this.history.length) {
        this.history.splice(0, this.historyHead);
        this.historyHead = 0;
      }
    }
  }

  dispatch(ev: CacheEvent): void {
    for (const [w, since] of this.watchers) if (ev.revision > since) w.onEvent(ev);
  }

  /** Events with revision > after, oldest first. Throws TooOldResourceVersionError if they left the window. */
  eventsAfter(after: number): CacheEvent[] {
    if (after < this.historyStart) throw new TooOldResourceVersionError(after, this.historyStart + 1);
    let lo = this.historyHead;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid].revision <= after) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** An index kept beside `objects`: `observer` sees every event applied from now on. */
  observe(observer: (ev: CacheEvent) => void): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  /** Registers a watcher whose own snapshot covers every event up to `sinceRevision`. */
  addWatcher(w: CacheWatcher, sinceRevision: number): () => void {
    this.watchers.set(w, sinceRevision);
    return () => this.watchers.delete(w);
  }

  closeWatchers(err: Error): void {
    for (const w of this.watchers.keys()) w.onClose(err);
    this.watchers.clear();
  }

  get watcherCount(): number {
    return this.watchers.size;
  }
}

export function compareKeys(a: string, b: string): number {
  // Storage orders keys bytewise; for the ASCII keys the API server writes, UTF-16 order matches.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Splits /registry/<group>/<plural>/... into its resource prefix /registry/<group>/<plural>/. */
export function resourcePrefixOf(key: string): string {
  let slashes = 0;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === 47 && ++slashes === 4) return key.slice(0, i + 1);
  }
  return key;
}

export function decodeStored(value: string, modRevision: number): StoredObject {
  const obj = JSON.parse(value) as StoredObject;
  obj.metadata.resourceVersion = String(modRevision);
  return obj;
}

export interface WatchCacheOptions {
  /** Events kept per resource for watches that resume from an older resourceVersion. */
  historyCapacity?: number;
  /** Revisions replayed from storage at start, to pre-fill history after a restart. */
  replayOnStart?: number;
}

export class WatchCache {
  private readonly resources = new Map<string, ResourceCache>();
  private storeWatch: StoreWatcher | undefined;
  private waiters: { revision: number; resolve: () => void }[] = [];
  private failed: Error | undefined;
  /** The revision of the last event applied (reads see everything up to it). */
  revision = 0;
  /** Every event up to this revision has been handed to watchers (what bookmarks may promise). */
  dispatchedRevision = 0;
  private pending: { rc: ResourceCache; ev: CacheEvent }[] = [];
  private readonly expected = new Map<string, { stored: StoredText; obj: StoredObject }>();
  private lastResource: ResourceCache | undefined;
  private dispatchScheduled = false;
  private startRevision = 0;
  private readonly capacity: number;
  private readonly replay: number;

  constructor(
    private readonly store: Store,
    opts: WatchCacheOptions = {},
  ) {
    this.capacity = opts.historyCapacity ?? 10_000;
    this.replay = opts.replayOnStart ?? this.capacity;
  }

  async start(): Promise<void> {
    const current = await this.store.currentRevision();
    const compacted = await this.store.compactedRevision();
    // Start from a past revision and replay the log from there, so history covers the last
    // `replay` writes. Revision 0 is the empty store: nothing to list.
    const at = Math.max(compacted, current - this.replay, 0);
    const initial = at > 0 ? await this.store.list('/registry/', { revision: at }) : { items: [] };
    this.startRevision = at;
    this.revision = at;
    this.dispatchedRevision = at;
    for (const kv of initial.items) {
      this.resourceFor(resourcePrefixOf(kv.key)).objects.set(kv.key, decodeStored(kv.value, kv.modRevision));
    }
    await new Promise<void>((resolve, reject) => {
      let started = false;
      try {
        this.storeWatch = this.store.watch('/registry/', {
          afterRevision: at,
          onEvents: (events) => this.applyEvents(events),
          onError: (err) => this.fail(err),
        });
        started = true;
      } catch (err) {
        reject(err);
      }
      if (started) resolve();
    });
    await this.waitFresh(current);
  }

  stop(): void {
    this.storeWatch?.close();
    this.storeWatch = undefined;
    this.fail(new Error('watch cache stopped'));
  }

  private fail(err: Error): void {
    this.failed = err;
    for (const rc of this.resources.values()) rc.closeWatchers(err);
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  resourceFor(prefix: string): ResourceCache {
    let rc = this.resources.get(prefix);
    if (!rc) {
      rc = new ResourceCache(prefix, this.startRevision, this.capacity);
      this.resources.set(prefix, rc);
    }
    return rc;
  }

  /**
   * The resource a key belongs to. Consecutive events are mostly of one resource: a key under
   * the last one's prefix (which ends at its fourth slash) has that prefix, found without
   * slicing the key and hashing the slice.
   */
  private resourceForKey(key: string): ResourceCache {
    const last = this.lastResource;
    if (last !== undefined && key.startsWith(last.prefix)) return last;
    const rc = this.resourceFor(resourcePrefixOf(key));
    // Only a prefix that ends at its fourth slash may stand for every key under it (a key
    // with fewer slashes is its own "prefix").
    if (rc.prefix.split('/').length === 5 && rc.prefix.endsWith('/')) this.lastResource = rc;
    return rc;
  }

  private applyEvents(events: WatchEvent[]): void {
    for (const ev of events) {
      const rc = this.resourceForKey(ev.kv.key);
      // Events arrive in revision order, so the cached object is the previous value; prevKv is
      // parsed only if the cache somehow lacks it.
      const prevObject = rc.objects.get(ev.kv.key) ?? (ev.prevKv ? decodeStored(ev.prevKv.value, ev.prevKv.modRevision) : undefined);
      const type: EventType = ev.type === 'delete' ? 'DELETED' : prevObject ? 'MODIFIED' : 'ADDED';
      const object = ev.type === 'delete' && prevObject ? { ...prevObject, metadata: { ...prevObject.metadata, resourceVersion: String(ev.kv.modRevision) } } : this.objectFor(ev.kv.key, ev.kv.value, ev.kv.modRevision);
      const cacheEvent: CacheEvent = { type, key: ev.kv.key, object, prevObject, revision: ev.kv.modRevision };
      rc.apply(cacheEvent);
      this.pending.push({ rc, ev: cacheEvent });
      this.revision = ev.kv.modRevision;
    }
    // Fan-out to watchers runs after the current I/O callbacks, so the write that produced these
    // events is answered before a thousand watchers are served.
    if (this.pending.length && !this.dispatchScheduled) {
      this.dispatchScheduled = true;
      setImmediate(() => this.dispatch());
    }
    if (this.waiters.length) {
      const still: typeof this.waiters = [];
      for (const w of this.waiters) (w.revision <= this.revision ? w.resolve() : still.push(w));
      this.waiters = still;
    }
  }

  /**
   * The API server announces the object it is about to write so the cache can keep that object
   * instead of parsing the stored text back (the write path's largest single cost). The object
   * is used only if the stored text is exactly what was announced; it must not be modified
   * after the write (the cache shares it with the response).
   */
  expectWrite(key: string, stored: StoredText, obj: StoredObject): void {
    this.expected.set(key, { stored, obj });
  }

  private objectFor(key: string, value: string, modRevision: number): StoredObject {
    const hint = this.expected.get(key);
    if (hint) {
      this.expected.delete(key);
      if (hint.stored.text === value) {
        const rv = String(modRevision);
        hint.obj.metadata.resourceVersion = rv;
        // The object's JSON is the stored text plus its resourceVersion: the response, the
        // watch fan-out and LISTs reuse it instead of serializing the object again.
        const json = withResourceVersion(hint.stored, rv);
        if (json !== undefined) rememberJSON(hint.obj, json);
        return hint.obj;
      }
    }
    return decodeStored(value, modRevision);
  }

  private dispatch(): void {
    this.dispatchScheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const { rc, ev } of batch) rc.dispatch(ev);
    if (batch.length) this.dispatchedRevision = batch[batch.length - 1].ev.revision;
  }

  /** Resolves once every write up to `revision` is in the cache (consistent reads from cache). */
  waitFresh(revision: number, timeoutMs = 3000): Promise<boolean> {
    if (this.revision >= revision || this.failed) return Promise.resolve(this.revision >= revision);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      timer.unref?.();
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.revision >= revision);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** A consistent read point: waits until the cache holds every write acknowledged so far. */
  async syncToStore(): Promise<number> {
    const current = await this.store.currentRevision();
    if (!(await this.waitFresh(current))) throw new Error(`watch cache did not reach revision ${current}`);
    return this.revision;
  }

  get error(): Error | undefined {
    return this.failed;
  }
}
