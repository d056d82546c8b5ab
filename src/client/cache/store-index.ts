// The secondary indices of an Indexer (thread_safe_store.go's storeIndex): for every index name,
// value → set of keys. Kept in step with the items on every add/update/delete.
import type { KubeObject } from '../../api/object.js';
import type { IndexFunc, Indexers } from './store.js';

export class StoreIndex<T extends KubeObject> {
  private readonly indexers: Indexers<T> = {};
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  /** Each index with its function, as a list (update runs on every add and update of an object). */
  private readonly list: { name: string; fn: IndexFunc<T>; index: Map<string, Set<string>> }[] = [];

  getIndexers(): Readonly<Indexers<T>> {
    return this.indexers;
  }

  /** Adds index functions and indexes `existing` under them. */
  addIndexers(indexers: Indexers<T>, existing: Iterable<[string, T]>): void {
    for (const name of Object.keys(indexers)) {
      if (name in this.indexers) throw new Error(`indexer conflict: index ${JSON.stringify(name)} already exists`);
    }
    for (const [name, fn] of Object.entries(indexers)) {
      this.indexers[name] = fn;
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      this.list.push({ name, fn, index });
      for (const [key, obj] of existing) for (const v of this.values(name, fn, obj)) add(index, v, key);
    }
  }

  /** Moves `key` from the values of `oldObj` to those of `newObj` (either may be absent). */
  update(key: string, oldObj: T | undefined, newObj: T | undefined): void {
    for (let i = 0; i < this.list.length; i++) {
      const { name, fn, index } = this.list[i]!;
      const before = oldObj ? this.values(name, fn, oldObj) : NONE;
      const after = newObj ? this.values(name, fn, newObj) : NONE;
      // Most updates leave the indexed values alone (a status change does not move a pod's
      // namespace): skip the set churn in that case.
      if (before.length === 1 && after.length === 1 && before[0] === after[0]) continue;
      for (const v of before) if (!after.includes(v)) remove(index, v, key);
      for (const v of after) add(index, v, key);
    }
  }

  clear(): void {
    for (const index of this.indices.values()) index.clear();
  }

  keys(name: string, value: string): ReadonlySet<string> {
    return this.index(name).get(value) ?? empty;
  }

  valuesOf(name: string): string[] {
    return [...this.index(name).keys()];
  }

  objectValues(name: string, obj: T): string[] {
    const fn = this.indexers[name];
    if (!fn) throw new Error(`index with name ${JSON.stringify(name)} does not exist`);
    return this.values(name, fn, obj);
  }

  private index(name: string): Map<string, Set<string>> {
    const index = this.indices.get(name);
    if (!index) throw new Error(`index with name ${JSON.stringify(name)} does not exist`);
    return index;
  }

  private values(name: string, fn: IndexFunc<T>, obj: T): string[] {
    try {
      return fn(obj);
    } catch (err) {
      // Upstream panics here: an index that cannot be computed leaves the cache inconsistent.
      throw new Error(`index ${JSON.stringify(name)} failed for ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}: ${String(err)}`, { cause: err });
    }
  }
}

const empty: ReadonlySet<string> = new Set();
const NONE: readonly string[] = Object.freeze([]);

function add(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) index.set(value, (set = new Set()));
  set.add(key);
}

function remove(index: Map<string, Set<string>>, value: string, key: string): void {
  const set = index.get(value);
  if (!set) return;
  set.delete(key);
  // Drop empty sets so an index over short-lived values (e.g. pod IPs) does not grow forever.
  if (set.size === 0) index.delete(value);
}
