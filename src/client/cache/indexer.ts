// The in-memory cache (store.go + thread_safe_store.go): objects by key, with secondary indices.
// JavaScript runs one callback at a time, so there is no lock; the API is client-go's.
import type { KubeObject } from '../../api/object.js';
import { deepFreeze, freezeByDefault } from './freeze.js';
import { keyOf, metaNamespaceKey, type DeletedFinalStateUnknown, type KeyFunc } from './keys.js';
import { StoreIndex } from './store-index.js';
import type { Indexer, Indexers } from './store.js';

export interface IndexerOptions<T extends KubeObject> {
  keyFunc?: KeyFunc<T>;
  indexers?: Indexers<T>;
  /** Deep-freeze objects as they enter the cache. Default: freezeByDefault(). */
  freeze?: boolean;
}

export class CacheIndexer<T extends KubeObject = KubeObject> implements Indexer<T> {
  private readonly items = new Map<string, T>();
  private readonly indices = new StoreIndex<T>();
  private readonly keyFunc: KeyFunc<T>;
  private readonly freeze: boolean;

  constructor(opts: IndexerOptions<T> = {}) {
    this.keyFunc = opts.keyFunc ?? metaNamespaceKey;
    this.freeze = opts.freeze ?? freezeByDefault();
    if (opts.indexers) this.indices.addIndexers(opts.indexers, []);
  }

  get size(): number {
    return this.items.size;
  }

  add(obj: T): void {
    this.put(obj);
  }

  update(obj: T): void {
    this.put(obj);
  }

  delete(obj: T | DeletedFinalStateUnknown<T>): void {
    const key = keyOf(obj, this.keyFunc);
    const old = this.items.get(key);
    if (old === undefined) return;
    this.items.delete(key);
    this.indices.update(key, old, undefined);
  }

  get(obj: T): T | undefined {
    return this.items.get(this.keyFunc(obj));
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  replace(items: T[], _resourceVersion: string): void {
    this.items.clear();
    this.indices.clear();
    for (const obj of items) this.put(obj);
  }

  resync(): void {}

  byIndex(indexName: string, value: string): T[] {
    const out: T[] = [];
    for (const key of this.indices.keys(indexName, value)) out.push(this.items.get(key)!);
    return out;
  }

  indexKeys(indexName: string, value: string): string[] {
    return [...this.indices.keys(indexName, value)];
  }

  index(indexName: string, obj: T): T[] {
    const keys = new Set<string>();
    for (const v of this.indices.objectValues(indexName, obj)) for (const k of this.indices.keys(indexName, v)) keys.add(k);
    return [...keys].map((k) => this.items.get(k)!);
  }

  listIndexFuncValues(indexName: string): string[] {
    return this.indices.valuesOf(indexName);
  }

  getIndexers(): Readonly<Indexers<T>> {
    return this.indices.getIndexers();
  }

  addIndexers(indexers: Indexers<T>): void {
    this.indices.addIndexers(indexers, this.items.entries());
  }

  private put(obj: T): void {
    const key = this.keyFunc(obj);
    if (this.freeze) deepFreeze(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    this.indices.update(key, old, obj);
  }
}
