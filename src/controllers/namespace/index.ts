// The namespace controller: empties terminating namespaces and releases them.
export {
  defaultRemainingContentDelayMs,
  namespaceController,
  namespaceControllerWith,
  namespaceDeletionGracePeriodMs,
  newNamespaceController,
  type NamespaceControllerOptions,
} from './namespace-controller.js';
export { finalizerEstimateSeconds, kubernetesFinalizer, newNamespaceDeleter, ResourcesRemainingError, type NamespaceDeleter, type NamespaceDeleterOptions } from './deleter.js';
export { conditionTypes, NamespaceConditionUpdater, type ContentTotals, type DeletionConditionType } from './conditions.js';
export { deletableNamespacedResources, gvrString, type DeletableResource, type DeletableResources } from './deletable-resources.js';
