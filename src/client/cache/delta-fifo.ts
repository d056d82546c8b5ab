// DeltaFIFO (delta_fifo.go): the queue between a reflector and the informer's processing loop.
// For every key it accumulates what happened (Added, Updated, Deleted, Replaced, Sync) until the
// key is popped, so a consumer always sees each object's whole history since it last looked, in
// order, and keys come out in the order they first changed; deltas appended to a queued key do
// not move it. Key order is kept in a ring queue beside the Map: taking a Map's first entry after
// many deletions walks over the deleted slots, which made a 100,000-item relist quadratic.
import type { KubeObject } from '../../api/object.js';
import { RingQueue } from '../../util/ring-queue.js';
import { deletedFinalStateUnknown, isDeletedFinalStateUnknown, keyOf, metaNamespaceKey, type DeletedFinalStateUnknown, type KeyFunc } from './keys.js';

export type DeltaType = 'Added' | 'Updated' | 'Deleted' | 'Replaced' | 'Sync';

export interface Delta<T extends KubeObject = KubeObject> {
  type: DeltaType;
  object: T | DeletedFinalStateUnknown<T>;
}

/** The cache a DeltaFIFO compares Replace against (the informer's indexer). */
export interface KnownObjects<T extends KubeObject> {
  listKeys(): string[];
  getByKey(key: string): T | undefined;
}

/** Rewrites an object before it is queued, e.g. dropping managedFields to save memory. */
export type TransformFunc<T extends KubeObject> = (obj: T) => T;

export interface DeltaFIFOOptions<T extends KubeObject> {
  keyFunc?: KeyFunc<T>;
  knownObjects?: KnownObjects<T>;
  transform?: TransformFunc<T>;
}

/** Handles one key's deltas, oldest first; `isInInitialList` is true for the first list's items. */
export type PopProcessFunc<T extends KubeObject> = (deltas: Delta<T>[], isInInitialList: boolean) => void;

export class DeltaFIFOClosedError extends Error {
  constructor() {
    super('DeltaFIFO: manipulating with closed queue');
  }
}

export class DeltaFIFO<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, Delta<T>[]>();
  /** Keys of `items` in FIFO order (each exactly once). */
  private readonly order = new RingQueue<string>();
  private readonly keyFunc: KeyFunc<T>;
  private readonly knownObjects: KnownObjects<T> | undefined;
  private readonly transform: TransformFunc<T> | undefined;
  /** Set by the first Add/Update/Delete/Replace. */
  private populated = false;
  /** Keys of the first Replace that have not been popped yet. */
  private initialPopulationCount = 0;
  private closed = false;
  private waiters: (() => void)[] = [];
  private syncedWaiters: (() => void)[] = [];

  constructor(opts: DeltaFIFOOptions<T> = {}) {
    this.keyFunc = opts.keyFunc ?? metaNamespaceKey;
    this.knownObjects = opts.knownObjects;
    this.transform = opts.transform;
  }

  /** Keys waiting to be popped. */
  get length(): number {
    return this.items.size;
  }

  add(obj: T): void {
    this.populated = true;
    this.queue('Added', obj);
  }

  update(obj: T): void {
    this.populated = true;
    this.queue('Updated', obj);
  }

  /** Queues a deletion, unless neither the queue nor knownObjects has ever heard of the object. */
  delete(obj: T | DeletedFinalStateUnknown<T>): void {
    const key = keyOf(obj, this.keyFunc);
    this.populated = true;
    const queued = this.items.has(key);
    const known = this.knownObjects ? this.knownObjects.getByKey(key) !== undefined : false;
    if (!queued && !known) return;
    this.queue('Deleted', obj);
  }

  /**
   * The result of a list: every item becomes a Replaced delta, and every key we knew of (queued
   * or in knownObjects) that the list no longer has gets a Deleted delta with a
   * DeletedFinalStateUnknown tombstone: its deletion happened while we were not watching.
   */
  replace(list: T[], _resourceVersion: string): void {
    const keys = new Set<string>();
    for (const obj of list) {
      keys.add(this.keyFunc(obj));
      this.queue('Replaced', obj);
    }
    let queuedDeletions = 0;
    if (!this.knownObjects) {
      for (const [key, deltas] of this.items) {
        if (keys.has(key)) continue;
        const newest = deltas[deltas.length - 1]?.object;
        // A tombstone of a tombstone would hide the object: unwrap it.
        const last: T | undefined = newest && isDeletedFinalStateUnknown(newest) ? newest.obj : newest;
        queuedDeletions++;
        this.queue('Deleted', deletedFinalStateUnknown<T>(key, last));
      }
    } else {
      for (const key of this.knownObjects.listKeys()) {
        if (keys.has(key)) continue;
        queuedDeletions++;
        this.queue('Deleted', deletedFinalStateUnknown<T>(key, this.knownObjects.getByKey(key)));
      }
    }
    if (!this.populated) {
      this.populated = true;
      this.initialPopulationCount = keys.size + queuedDeletions;
    }
    this.notifySynced();
  }

  /**
   * A Sync delta for every known object without pending deltas (those will be delivered anyway,
   * and a Sync behind them would carry a stale object). Drives handlers' periodic resync.
   */
  resync(): void {
    if (!this.knownObjects) return;
    for (const key of this.knownObjects.listKeys()) {
      if (this.items.get(key)?.length) continue;
      const obj = this.knownObjects.getByKey(key);
      if (obj !== undefined) this.queue('Sync', obj);
    }
  }

  /** True once the first Replace's keys have all been popped (and processed). */
  hasSynced(): boolean {
    return this.populated && this.initialPopulationCount === 0;
  }

  /** Resolves when hasSynced() becomes true (never, if the queue is closed first). */
  whenSynced(): Promise<void> {
    if (this.hasSynced()) return Promise.resolve();
    return new Promise((resolve) => this.syncedWaiters.push(resolve));
  }

  /** The pending deltas of a key (a copy), for inspection and tests. */
  deltasOf(key: string): Delta<T>[] | undefined {
    const d = this.items.get(key);
    return d ? [...d] : undefined;
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  /**
   * Takes the oldest key and hands its deltas to `process`, synchronously, so nothing can be
   * queued for that key between removal and processing. Waits while the queue is empty.
   * Returns false when the queue has been closed. An exception from `process` propagates; the
   * key has been removed either way (the caller reports and carries on).
   */
  async pop(process: PopProcessFunc<T>): Promise<boolean> {
    while (this.items.size === 0) {
      if (this.closed) return false;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.closed) return false;
    return this.popNow(process);
  }

  /** pop() without waiting: false when nothing is queued. Lets a consumer drain a burst in one go. */
  tryPop(process: PopProcessFunc<T>): boolean {
    if (this.closed || this.items.size === 0) return false;
    return this.popNow(process);
  }

  /** Wakes every pop(); they return false. Queued deltas are dropped. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private popNow(process: PopProcessFunc<T>): boolean {
    const key = this.order.shift()!;
    const deltas = this.items.get(key)!;
    this.items.delete(key);
    const isInInitialList = !this.hasSynced();
    if (this.initialPopulationCount > 0) this.initialPopulationCount--;
    try {
      process(deltas, isInInitialList);
    } finally {
      this.notifySynced();
    }
    return true;
  }

  private queue(type: DeltaType, obj: T | DeletedFinalStateUnknown<T>): void {
    if (this.closed) throw new DeltaFIFOClosedError();
    const key = keyOf(obj, this.keyFunc);
    // Sync objects come from knownObjects and were transformed on their way in already.
    if (this.transform && type !== 'Sync' && !isDeletedFinalStateUnknown(obj)) obj = this.transform(obj);
    const delta: Delta<T> = { type, object: obj };
    const deltas = this.items.get(key);
    if (!deltas) {
      this.items.set(key, [delta]);
      this.order.push(key);
      if (this.waiters.length) for (const w of this.waiters.splice(0)) w();
      return;
    }
    deltas.push(delta);
    dedupLastTwo(deltas);
  }

  private notifySynced(): void {
    if (this.syncedWaiters.length && this.hasSynced()) for (const w of this.syncedWaiters.splice(0)) w();
  }
}

/**
 * Two deletions in a row collapse into one (a watch DELETED followed by a relist's tombstone for
 * the same key, say). The one that knows more wins: a real final state beats a tombstone.
 */
function dedupLastTwo<T extends KubeObject>(deltas: Delta<T>[]): void {
  const n = deltas.length;
  if (n < 2) return;
  const a = deltas[n - 2];
  const b = deltas[n - 1];
  if (a.type !== 'Deleted' || b.type !== 'Deleted') return;
  const keep = isDeletedFinalStateUnknown(b.object) ? a : b;
  deltas.splice(n - 2, 2, keep);
}
