// The args most plugins share (upstream's Namespaces and LabelSelector fields): which pods a
// plugin looks at.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { Namespaces } from '../pod-utils.js';

export interface PodSelectionArgs {
  namespaces?: Namespaces;
  labelSelector?: LabelSelector;
}

/** Container statuses of a pod, with its init containers' when asked. */
export function containerStatuses(pod: import('kubernetes-types/core/v1.js').Pod, includingInit: boolean | undefined) {
  return [...(pod.status?.containerStatuses ?? []), ...(includingInit ? (pod.status?.initContainerStatuses ?? []) : [])];
}
