// Pod garbage collection: terminated pods beyond a threshold, orphaned pods of deleted nodes,
// unscheduled and out-of-service terminating pods.
export { newPodGCController, podGCController, podGCControllerWith, defaultTerminatedPodThreshold, type PodGCOptions } from './pod-gc-controller.js';
export { compareForDeletion, isPodEvicted, isPodTerminated } from './pod-order.js';
