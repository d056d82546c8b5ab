// client-go tools/cache for k8ts: stores and indexers, DeltaFIFO, reflector, shared informers
// and the informer factory. Objects handed out by caches are shared: never mutate them.
export { Backoff, defaultBackoff, type BackoffOptions } from './backoff.js';
export { processDeltas, processLoop } from './controller.js';
export { DeltaFIFO, DeltaFIFOClosedError, type Delta, type DeltaFIFOOptions, type DeltaType, type KnownObjects, type PopProcessFunc, type TransformFunc } from './delta-fifo.js';
export { WatchStatusError, errorCode, isGone, isTooLargeResourceVersion } from './errors.js';
export { deepFreeze, freezeByDefault } from './freeze.js';
export type { Notification, ResourceEventHandler, ResourceEventHandlerRegistration } from './handler.js';
export { CacheIndexer, type IndexerOptions } from './indexer.js';
export { labelIndexFunc, metaNamespaceIndexFunc, namespaceIndex } from './indexers.js';
export {
  SharedInformerFactory,
  informerKeyString,
  type ForResourceOptions,
  type InformerKey,
  type ListerWatcherFactory,
  type SharedInformerFactoryOptions,
} from './informer-factory.js';
export { deletedFinalStateUnknown, isDeletedFinalStateUnknown, keyOf, metaNamespaceKey, splitMetaNamespaceKey, type DeletedFinalStateUnknown, type KeyFunc } from './keys.js';
export type { CacheLogger } from './logger.js';
export { listAllPages, type PagedList } from './pager.js';
export { Reflector, type ReflectorErrorContext, type ReflectorErrorHandler, type ReflectorOptions, type ReflectorStore } from './reflector.js';
export { SharedIndexInformer, minimumResyncPeriodMs, type InformerErrorHandler, type SharedInformerOptions } from './shared-informer.js';
export type { IndexFunc, Indexer, Indexers, ReadonlyIndexer, ReadonlyStore, Store } from './store.js';
export { waitForCacheSync, type Syncable } from './wait.js';
