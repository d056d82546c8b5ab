// Object keys (store.go's MetaNamespaceKeyFunc): `namespace/name` for namespaced objects, `name`
// for cluster-scoped ones. Every cache structure (store, indexer, delta FIFO) is keyed this way.
import type { KubeObject } from '../../api/object.js';

/**
 * The last known state of an object that was deleted while the watch was disconnected: a relist
 * no longer contained it, so the deletion itself was never observed. `obj` may be stale (or
 * absent when the cache never held it). Handlers' onDelete receives either the object or this.
 */
export interface DeletedFinalStateUnknown<T extends KubeObject = KubeObject> {
  readonly kind: 'DeletedFinalStateUnknown';
  readonly key: string;
  readonly obj: T | undefined;
}

export function deletedFinalStateUnknown<T extends KubeObject>(key: string, obj: T | undefined): DeletedFinalStateUnknown<T> {
  return Object.freeze({ kind: 'DeletedFinalStateUnknown', key, obj });
}

export function isDeletedFinalStateUnknown<T extends KubeObject>(x: T | DeletedFinalStateUnknown<T>): x is DeletedFinalStateUnknown<T> {
  // API objects carry apiVersion; a tombstone never does, so an object of a kind that happens to
  // be named DeletedFinalStateUnknown cannot be mistaken for one.
  return x.kind === 'DeletedFinalStateUnknown' && !('apiVersion' in x) && 'key' in x;
}

/** Computes an object's cache key. Throws when the object has no name: it cannot be cached. */
export type KeyFunc<T extends KubeObject = KubeObject> = (obj: T) => string;

export function metaNamespaceKey(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`object has no metadata.name, cannot compute its cache key: ${JSON.stringify(obj).slice(0, 200)}`);
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${name}` : name;
}

/** The key of an object or of a tombstone (whose key was computed when it was made). */
export function keyOf<T extends KubeObject>(obj: T | DeletedFinalStateUnknown<T>, keyFunc: KeyFunc<T> = metaNamespaceKey): string {
  return isDeletedFinalStateUnknown(obj) ? obj.key : keyFunc(obj);
}

/** Splits `namespace/name` or `name`; throws on anything else, like upstream's SplitMetaNamespaceKey. */
export function splitMetaNamespaceKey(key: string): { namespace: string; name: string } {
  const parts = key.split('/');
  if (parts.length === 1) return { namespace: '', name: parts[0] };
  if (parts.length === 2) return { namespace: parts[0], name: parts[1] };
  throw new Error(`unexpected key format: ${JSON.stringify(key)}`);
}
