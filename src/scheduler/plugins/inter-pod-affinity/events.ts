// Queueing hints (upstream interpodaffinity/plugin.go EventsToRegister): an assigned pod that
// starts matching the waiting pod's affinity, stops matching its anti-affinity, or goes away;
// and nodes added or relabelled (topology labels may appear).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { newPodInfo } from '../../framework/pod-info.js';
import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/types.js';
import { podMatchesAllTerms } from './terms.js';

const asPod = (o: unknown): Pod | undefined => (o && typeof o === 'object' ? (o as Pod) : undefined);

export function isSchedulableAfterPodChange(pod: Pod, oldObj: unknown, newObj: unknown): QueueingHint {
  const before = asPod(oldObj);
  const after = asPod(newObj);
  // Unscheduled pods take part in no topology.
  if ((after && !after.spec?.nodeName) || (before && !before.spec?.nodeName)) return QueueingHint.Skip;
  const pi = newPodInfo(pod);
  if (before && after) {
    if (!podMatchesAllTerms(pi.requiredAffinityTerms, before) && podMatchesAllTerms(pi.requiredAffinityTerms, after)) return QueueingHint.Queue;
    if (pi.requiredAntiAffinityTerms.some((t) => podMatchesAllTerms([t], before)) && !pi.requiredAntiAffinityTerms.some((t) => podMatchesAllTerms([t], after))) return QueueingHint.Queue;
    return QueueingHint.Skip;
  }
  if (after) return podMatchesAllTerms(pi.requiredAffinityTerms, after) ? QueueingHint.Queue : QueueingHint.Skip;
  if (!before) return QueueingHint.Queue;
  // A deleted pod may have been what blocked the pod: it matched the pod's anti-affinity, or had
  // required anti-affinity terms of its own.
  const blocked = pi.requiredAntiAffinityTerms.some((t) => podMatchesAllTerms([t], before)) || newPodInfo(before).requiredAntiAffinityTerms.length > 0;
  return blocked ? QueueingHint.Queue : QueueingHint.Skip;
}

export function eventsToRegister(): ClusterEventWithHint[] {
  return [
    { event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete }, hint: (_log, pod, oldObj, newObj) => isSchedulableAfterPodChange(pod, oldObj, newObj) },
    { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel } },
  ];
}
