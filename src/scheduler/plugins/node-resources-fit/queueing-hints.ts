// When an event may make a pod NodeResourcesFit rejected schedulable (upstream fit.go
// isSchedulableAfterPodEvent / isSchedulableAfterNodeChange): a scheduled pod deleted or scaled
// down, a node added that fits the pod, or a node whose allocatable grew in a resource the pod
// requests.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NodeInfo } from '../../framework/node-info.js';
import { podRequests, resourceFromList, type Resource } from '../../framework/resource.js';
import { QueueingHint, type QueueingHintFn } from '../../framework/types.js';
import { fits } from './fits.js';

export const isSchedulableAfterPodEvent: QueueingHintFn = (_log, pod, oldObj, newObj) => {
  const original = oldObj as Pod | undefined;
  const modified = newObj as Pod | undefined;
  if (!modified) {
    // Only a pod holding resources on a node (or nominated to one) frees anything when deleted.
    if (original && !original.spec?.nodeName && !original.status?.nominatedNodeName) return QueueingHint.Skip;
    return QueueingHint.Queue;
  }
  if (!original) return QueueingHint.Skip;
  return isSchedulableAfterPodScaleDown(pod, original, modified) ? QueueingHint.Queue : QueueingHint.Skip;
};

/** The target pod itself was scaled down, or a scheduled pod released a resource the target requests. */
function isSchedulableAfterPodScaleDown(target: Pod, original: Pod, modified: Pod): boolean {
  if (modified.metadata?.uid && modified.metadata.uid === target.metadata?.uid) return true;
  if (!modified.spec?.nodeName) return false;
  const before = podRequests(original);
  const after = podRequests(modified);
  const wanted = podRequests(target);
  if (wanted.milliCPU > 0 && before.milliCPU > after.milliCPU) return true;
  if (wanted.memory > 0 && before.memory > after.memory) return true;
  if (wanted.ephemeralStorage > 0 && before.ephemeralStorage > after.ephemeralStorage) return true;
  for (const [name, q] of wanted.scalar) if (q > 0 && (before.scalar.get(name) ?? 0) > (after.scalar.get(name) ?? 0)) return true;
  return false;
}

const allocatableOf = (node: Node): Resource => resourceFromList(node.status?.allocatable as Record<string, string> | undefined);

/** Upstream haveAnyRequestedResourcesIncreased: more pods allowed, or more of something the pod requests. */
function haveAnyRequestedResourcesIncreased(pod: Pod, original: Node, modified: Node): boolean {
  const req = podRequests(pod);
  const a = allocatableOf(original);
  const b = allocatableOf(modified);
  if (b.allowedPodNumber > a.allowedPodNumber) return true;
  if (req.milliCPU > 0 && b.milliCPU > a.milliCPU) return true;
  if (req.memory > 0 && b.memory > a.memory) return true;
  if (req.ephemeralStorage > 0 && b.ephemeralStorage > a.ephemeralStorage) return true;
  for (const [name, q] of req.scalar) if (q > 0 && (b.scalar.get(name) ?? 0) > (a.scalar.get(name) ?? 0)) return true;
  return false;
}

export const isSchedulableAfterNodeChange: QueueingHintFn = (_log, pod, oldObj, newObj) => {
  const original = oldObj as Node | undefined;
  const modified = newObj as Node | undefined;
  // An empty node that cannot hold the pod will not hold it with pods on it either.
  if (!modified || fits(pod, new NodeInfo(modified)).length > 0) return QueueingHint.Skip;
  if (!original) return QueueingHint.Queue;
  return haveAnyRequestedResourcesIncreased(pod, original, modified) ? QueueingHint.Queue : QueueingHint.Skip;
};
