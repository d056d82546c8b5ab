// What informers tell their handlers (shared_informer.go's ResourceEventHandler), typed.
import type { KubeObject } from '../../api/object.js';
import type { DeletedFinalStateUnknown } from './keys.js';

/**
 * Callbacks for one consumer of an informer. All optional. A handler may return a promise: the
 * next notification for this handler waits for it (ordering per handler is kept), other handlers
 * are not held up. Objects are shared with the cache: do not mutate them.
 */
export interface ResourceEventHandler<T extends KubeObject = KubeObject> {
  /** A new object, or one already in the cache when the handler was added (isInInitialList). */
  onAdd?(obj: T, isInInitialList: boolean): void | Promise<void>;
  /** A change, or a periodic resync (then oldObj and newObj are the same object). */
  onUpdate?(oldObj: T, newObj: T): void | Promise<void>;
  /**
   * A deletion: the object's final state, or a DeletedFinalStateUnknown when the deletion was
   * missed during a disconnection and only noticed by a relist (its `obj` may be stale).
   */
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void | Promise<void>;
}

export type Notification<T extends KubeObject> =
  | { type: 'add'; obj: T; isInInitialList: boolean }
  | { type: 'update'; oldObj: T; obj: T }
  | { type: 'delete'; obj: T | DeletedFinalStateUnknown<T> };

/** What addEventHandler returns: remove it, or ask whether it has seen the initial state. */
export interface ResourceEventHandlerRegistration {
  /** The informer has synced and this handler has processed every initial add. */
  hasSynced(): boolean;
  /** Resolves when hasSynced() becomes true. */
  whenSynced(): Promise<void>;
}
