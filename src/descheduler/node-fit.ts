// Whether an evicted pod would find another home (upstream pkg/descheduler/node/node.go): a node
// fits when it is schedulable, matches the pod's nodeSelector and required node affinity,
// carries no NoSchedule/NoExecute taint the pod does not tolerate, and has room for the pod's
// requests beside the pods already bound to it. Evicting a pod that fits nowhere only makes it
// Pending, so plugins and nodeFit ask this first.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { RequiredNodeAffinity } from '../scheduler/plugins/node-affinity/node-selector.js';
import { doNotScheduleTaint, findMatchingUntoleratedTaint } from '../scheduler/plugins/taint-toleration/tolerations.js';
import { addResource, podRequests, resourceFromList, type Resource } from '../scheduler/framework/resource.js';
import { isTerminal } from './pod-utils.js';

export const isNodeReady = (node: Node) => (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** What the pods bound to a node request, and how many there are (terminal pods hold nothing). */
export function nodeUsage(pods: readonly Pod[]): { requested: Resource; pods: number } {
  const requested = podRequests({});
  let count = 0;
  for (const p of pods) {
    if (isTerminal(p)) continue;
    addResource(requested, podRequests(p));
    count++;
  }
  return { requested, pods: count };
}

/** Why the pod does not fit the node (upstream's messages), or undefined when it fits. */
export function podFitsNodeError(pod: Pod, node: Node, podsOnNode: readonly Pod[]): string | undefined {
  if (node.spec?.unschedulable) return 'node is not schedulable';
  if (!RequiredNodeAffinity.forPod(pod).match(node)) return 'pod node selector does not match the node label';
  if (findMatchingUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, doNotScheduleTaint)) return 'pod does not tolerate taints on the node';
  const allocatable = resourceFromList(node.status?.allocatable as Record<string, string> | undefined);
  const others = podsOnNode.filter((p) => p.metadata?.uid !== pod.metadata?.uid);
  const { requested, pods } = nodeUsage(others);
  const want = podRequests(pod);
  if (node.status?.allocatable?.pods !== undefined && pods + 1 > allocatable.allowedPodNumber) return 'insufficient pods';
  if (want.milliCPU > 0 && requested.milliCPU + want.milliCPU > allocatable.milliCPU) return 'insufficient cpu';
  if (want.memory > 0 && requested.memory + want.memory > allocatable.memory) return 'insufficient memory';
  return undefined;
}

/** Upstream PodFitsAnyOtherNode: some node other than the pod's own fits it. */
export function podFitsAnyOtherNode(pod: Pod, nodes: readonly Node[], podsOnNode: (name: string) => readonly Pod[]): boolean {
  return nodes.some((n) => n.metadata?.name !== pod.spec?.nodeName && podFitsNodeError(pod, n, podsOnNode(n.metadata?.name ?? '')) === undefined);
}

/** Upstream PodFitsAnyNode: some node (its own included) fits it. */
export function podFitsAnyNode(pod: Pod, nodes: readonly Node[], podsOnNode: (name: string) => readonly Pod[]): boolean {
  return nodes.some((n) => podFitsNodeError(pod, n, podsOnNode(n.metadata?.name ?? '')) === undefined);
}
