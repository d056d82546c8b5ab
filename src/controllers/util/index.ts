// Shared controller machinery (upstream pkg/controller/controller_utils.go and
// controller_ref_manager.go) for the workload controllers: ReplicaSet, Deployment, Job,
// DaemonSet, StatefulSet.
//
// - ControllerExpectations / UIDTrackingExpectations: "I created N pods; don't trust the cache
//   for this key until the informer has shown them (or 5 minutes passed)".
// - PodControl (newPodControl): create pods from a PodTemplateSpec with a controller reference,
//   delete pods; records SuccessfulCreate/FailedCreate/SuccessfulDelete/FailedDelete events.
// - ControllerRefManager: claim objects by selector — adopt orphans, release non-matching,
//   never adopt while the owner is being deleted.
// - Pod helpers: isPodActive, isPodReady, podReadyTime, isPodAvailable(minReadySeconds).
// - slowStartBatch: 1, 2, 4, ... concurrent calls, stopping at the first failing batch.
// - podEventHandlers: a pod informer's add/update/delete → controller ref → expectations →
//   enqueue the owner (orphans wake the owners that select them), with hooks for extras.
// - sortPodsForDeletion / ranksByRelatedPodsOnSameNode: upstream's ActivePodsWithRanks order.
export {
  ControllerExpectations,
  UIDTrackingExpectations,
  expectationsTimeoutMs,
  type Expectation,
  type ExpectationsOptions,
} from './expectations.js';
export {
  newPodControl,
  podFromTemplate,
  podsPrefix,
  errorMessage,
  eventSuccessfulCreate,
  eventFailedCreate,
  eventSuccessfulDelete,
  eventFailedDelete,
  type PodControl,
  type CreatePodOptions,
  type PodObject,
} from './pod-control.js';
export { ControllerRefManager, recheckDeletionTimestamp, type ControllerRefManagerOptions } from './controller-ref-manager.js';
export { controllerUIDIndex, controllerUIDIndexFunc, getControllerOf, newControllerRef, objectKey, orphanIndexKey } from './owner.js';
export { filterActivePods, isPodActive, isPodAvailable, isPodReady, maxContainerRestarts, msUntilAvailable, podReadyCondition, podReadyTime } from './pods.js';
export { slowStartBatch, slowStartInitialBatchSize, type SlowStartResult } from './slow-start.js';
export { podDeletesBefore, podDeletionCost, podDeletionCostAnnotation, ranksByRelatedPodsOnSameNode, sortPodsForDeletion } from './pod-ranking.js';
export { controllerRefResolver, ownersSelecting, podEventHandlers, type PodEventHandlerOptions, type PodOwner } from './pod-events.js';
