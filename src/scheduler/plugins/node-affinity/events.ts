// NodeAffinity's queueing hint (upstream isSchedulableAfterNodeChange): a node event can help a
// pod rejected by NodeAffinity only if the node now matches the scheduler-enforced affinity and
// the pod's nodeSelector/required affinity, and (for an update) did not match before.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/types.js';
import { RequiredNodeAffinity, type CompiledNodeSelector } from './node-selector.js';

export function nodeAffinityEvents(addedNodeSelector: CompiledNodeSelector | undefined): ClusterEventWithHint[] {
  const hint = (_log: unknown, pod: Pod, oldObj: unknown, newObj: unknown): QueueingHint => {
    const modified = newObj as Node | undefined;
    if (!modified) return QueueingHint.Queue;
    if (addedNodeSelector && !addedNodeSelector.match(modified)) return QueueingHint.Skip;
    const required = RequiredNodeAffinity.forPod(pod);
    if (!required.match(modified)) return QueueingHint.Skip;
    const original = oldObj as Node | undefined;
    if (!original) return QueueingHint.Queue;
    return required.match(original) ? QueueingHint.Skip : QueueingHint.Queue;
  };
  return [{ event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel }, hint }];
}
