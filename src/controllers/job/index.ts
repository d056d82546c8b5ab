// The Job controller's descriptor for the controller manager.
import type { ControllerDescriptor } from '../context.js';
import { newJobController } from './job-controller.js';

export { newJobController, jobTrackingFinalizer, jobKind, maxPodCreateDeletePerSync, type JobControllerOptions } from './job-controller.js';
export { completionIndexAnnotation, formatIndexes, parseIndexes, podCompletionIndex } from './indexes.js';
export { remainingBackoffMs, updateBackoffRecord, defaultPodFailureBackoffMs, maxPodFailureBackoffMs, type BackoffRecord } from './backoff.js';
export { matchPodFailurePolicy, type FailurePolicyMatch } from './pod-failure-policy.js';
export { isJobFinished, findCondition } from './conditions.js';

export const jobController: ControllerDescriptor = {
  name: 'job',
  create: (ctx) => newJobController(ctx),
};
