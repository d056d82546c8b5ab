// The cache contracts (store.go, index.go): a Store holds the latest state of objects by key; an
// Indexer adds secondary indices. Readers get ReadonlyIndexer.
//
// Objects handed out are SHARED with the cache and every other reader: never mutate them. Copy
// first (structuredClone) to change one and send it to the server. In development and tests the
// cache deep-freezes them (see freeze.ts), so a mutation throws instead of corrupting the cache.
import type { KubeObject } from '../../api/object.js';
import type { DeletedFinalStateUnknown } from './keys.js';

/** Values an object is indexed under (e.g. its namespace). Must not throw for objects in the cache. */
export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

/** Index name → function. */
export type Indexers<T extends KubeObject = KubeObject> = Record<string, IndexFunc<T>>;

export interface ReadonlyStore<T extends KubeObject = KubeObject> {
  get(obj: T): T | undefined;
  getByKey(key: string): T | undefined;
  /** A new array on each call; the objects in it are shared and must not be mutated. */
  list(): T[];
  listKeys(): string[];
  /** How many objects are cached. */
  readonly size: number;
}

export interface Store<T extends KubeObject = KubeObject> extends ReadonlyStore<T> {
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T | DeletedFinalStateUnknown<T>): void;
  /** Makes the content exactly `items` (what a list returned at `resourceVersion`). */
  replace(items: T[], resourceVersion: string): void;
  /** Meaningful for queues (DeltaFIFO); a plain store has nothing to do. */
  resync(): void;
}

export interface ReadonlyIndexer<T extends KubeObject = KubeObject> extends ReadonlyStore<T> {
  /** Objects whose `indexName` values include `value`, e.g. byIndex('namespace', 'default'). */
  byIndex(indexName: string, value: string): T[];
  /** Keys of the objects byIndex would return. */
  indexKeys(indexName: string, value: string): string[];
  /** Objects sharing at least one `indexName` value with `obj`. */
  index(indexName: string, obj: T): T[];
  /** Every value `indexName` currently has objects under. */
  listIndexFuncValues(indexName: string): string[];
  getIndexers(): Readonly<Indexers<T>>;
}

export interface Indexer<T extends KubeObject = KubeObject> extends Store<T>, ReadonlyIndexer<T> {
  /** Adds indices; existing objects are indexed at once. Throws on a name that already exists. */
  addIndexers(indexers: Indexers<T>): void;
}
