// The processing half of an informer (controller.go): a reflector fills the DeltaFIFO, and this
// loop pops keys and applies their deltas to the cache, notifying handlers (processDeltas).
import type { KubeObject } from '../../api/object.js';
import type { Delta, DeltaFIFO } from './delta-fifo.js';
import type { Notification } from './handler.js';
import type { Indexer } from './store.js';

/** Where processDeltas sends notifications; `sync` marks resyncs and no-op relists. */
export type Distribute<T extends KubeObject> = (n: Notification<T>, sync: boolean) => void;

/**
 * Applies one key's deltas to `store` and emits the notifications they mean: an object not yet
 * cached is an add, a cached one an update; a Sync delta, or a relist that returned the same
 * resourceVersion, is an update marked as a resync.
 */
export function processDeltas<T extends KubeObject>(store: Indexer<T>, distribute: Distribute<T>, deltas: Delta<T>[], isInInitialList: boolean): void {
  for (const d of deltas) {
    const obj = d.object;
    if (d.type === 'Deleted') {
      store.delete(obj);
      distribute({ type: 'delete', obj }, false);
      continue;
    }
    // Only Deleted deltas carry tombstones.
    const o = obj as T;
    const old = store.get(o);
    if (old !== undefined) {
      store.update(o);
      const sync = d.type === 'Sync' || (d.type === 'Replaced' && old.metadata?.resourceVersion !== undefined && old.metadata.resourceVersion === o.metadata?.resourceVersion);
      distribute({ type: 'update', oldObj: old, obj: o }, sync);
    } else {
      store.add(o);
      distribute({ type: 'add', obj: o, isInInitialList }, false);
    }
  }
}

/** Keys popped before the loop lets I/O in (one relist can queue 100,000 keys). */
const batch = 512;

/**
 * Pops the FIFO until it is closed. Exceptions from `process` are reported and the loop goes on:
 * one bad object must not stop an informer.
 */
export async function processLoop<T extends KubeObject>(fifo: DeltaFIFO<T>, process: (deltas: Delta<T>[], isInInitialList: boolean) => void, onError: (err: unknown) => void): Promise<void> {
  const guarded = (deltas: Delta<T>[], initial: boolean) => {
    try {
      process(deltas, initial);
    } catch (err) {
      onError(err);
    }
  };
  while (await fifo.pop(guarded)) {
    for (let i = 1; i < batch && fifo.tryPop(guarded); i++);
    if (fifo.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
