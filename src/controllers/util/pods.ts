// Pod state helpers shared by the workload controllers (upstream pkg/api/v1/pod/util.go and
// controller_utils.go): which pods count, which are ready, since when, and which are available.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';

/** A pod that is not finished and not being deleted: it counts toward a controller's replicas. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

export function filterActivePods<P extends Pod>(pods: readonly P[]): P[] {
  return pods.filter(isPodActive);
}

/** The pod's Ready condition, if it has one. */
export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** True when the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** When the pod last became Ready (ms since the epoch); undefined when not ready or unknown. */
export function podReadyTime(pod: Pod): number | undefined {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * True when the pod has been Ready for at least minReadySeconds at `now` (upstream
 * IsPodAvailable: with minReadySeconds 0 Ready is enough; otherwise the Ready transition time
 * plus minReadySeconds must be before now).
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number = Date.now()): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const t = podReadyTime(pod);
  return t !== undefined && t + minReadySeconds * 1000 < now;
}

/**
 * How long until a ready pod becomes available (ms), for requeueing; undefined when it is not
 * ready, already available, or minReadySeconds is 0.
 */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: number = Date.now()): number | undefined {
  if (!minReadySeconds || !isPodReady(pod)) return undefined;
  const t = podReadyTime(pod);
  if (t === undefined) return undefined;
  const left = t + minReadySeconds * 1000 - now;
  return left >= 0 ? left + 1 : undefined;
}

/** The largest restart count among the pod's containers (what ranking compares). */
export function maxContainerRestarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}
