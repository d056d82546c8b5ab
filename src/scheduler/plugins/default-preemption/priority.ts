// Pod priority and importance as the scheduler compares them (upstream corev1helpers.PodPriority,
// util.MoreImportantPod, util.GetPodStartTime and util.GetEarliestPodStartTime).
import type { Pod } from 'kubernetes-types/core/v1.js';

/** spec.priority, 0 when unset (a pod admitted before any default priority class existed). */
export const podPriority = (pod: Pod): number => pod.spec?.priority ?? 0;

/** status.startTime in ms; a pod not started yet counts as starting `now`. */
export function podStartTime(pod: Pod, now: number): number {
  const t = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
  return Number.isNaN(t) ? now : t;
}

/** Higher priority first; equal priority: the one that started earlier is more important. */
export function moreImportantPod(a: Pod, b: Pod, now: number): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return podStartTime(a, now) < podStartTime(b, now);
}

/** Sorts most important first (stable for ties). */
export function byImportance(now: number): (a: Pod, b: Pod) => number {
  return (a, b) => (moreImportantPod(a, b, now) ? -1 : moreImportantPod(b, a, now) ? 1 : 0);
}

/** The earliest start time among the highest-priority victims (undefined for no victims). */
export function earliestStartOfHighestPriority(pods: readonly Pod[], now: number): number | undefined {
  if (pods.length === 0) return undefined;
  let maxPriority = podPriority(pods[0]!);
  let earliest = podStartTime(pods[0]!, now);
  for (const p of pods) {
    const prio = podPriority(p);
    if (prio === maxPriority) earliest = Math.min(earliest, podStartTime(p, now));
    else if (prio > maxPriority) {
      maxPriority = prio;
      earliest = podStartTime(p, now);
    }
  }
  return earliest;
}
