// Cluster events as the queue sees them (upstream framework/events.go and types.go): what changed
// on a node or a pod, expressed as ActionType bits, and which registered events an incoming event
// matches. Plugins register interest per event; only those events can requeue the pods they reject.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { ActionType, type ClusterEvent, type EventResource } from '../framework/types.js';
import { podRequests } from '../framework/resource.js';

export interface LabeledEvent extends ClusterEvent {
  /** For logs and metrics, e.g. "NodeAdd". */
  label: string;
}

const ev = (resource: EventResource, actionType: number, label: string): LabeledEvent => ({ resource, actionType, label });

export const Events = {
  NodeAdd: ev('Node', ActionType.Add, 'NodeAdd'),
  NodeDelete: ev('Node', ActionType.Delete, 'NodeDelete'),
  AssignedPodAdd: ev('AssignedPod', ActionType.Add, 'AssignedPodAdd'),
  AssignedPodDelete: ev('AssignedPod', ActionType.Delete, 'AssignedPodDelete'),
  UnscheduledPodAdd: ev('UnscheduledPod', ActionType.Add, 'UnscheduledPodAdd'),
  UnscheduledPodDelete: ev('UnscheduledPod', ActionType.Delete, 'UnscheduledPodDelete'),
  UnscheduledPodUpdate: ev('UnscheduledPod', ActionType.Update, 'UnscheduledPodUpdate'),
  /** Pods parked too long (5 minutes) are retried whatever their plugins registered. */
  UnschedulableTimeout: ev('*', ActionType.All, 'UnschedulableTimeout'),
  ForceActivate: ev('*', ActionType.All, 'ForceActivate'),
} as const;

export const isWildCard = (e: ClusterEvent) => e.resource === '*' && e.actionType === ActionType.All;

/** Whether a registered event matches an incoming one (upstream ClusterEvent.Match). */
export function matches(registered: ClusterEvent, incoming: ClusterEvent): boolean {
  if (isWildCard(registered)) return true;
  const r = registered.resource;
  const resourceMatch = r === '*' || r === incoming.resource || (r === 'Pod' && (incoming.resource === 'AssignedPod' || incoming.resource === 'UnscheduledPod'));
  return resourceMatch && (registered.actionType & incoming.actionType) !== 0;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The scheduling-relevant changes of a pod update (upstream PodSchedulingPropertiesChange). */
export function podSchedulingPropertiesChange(resource: 'AssignedPod' | 'UnscheduledPod', newPod: Pod, oldPod: Pod): LabeledEvent[] {
  const out: LabeledEvent[] = [];
  const name = resource === 'AssignedPod' ? 'AssignedPod' : 'UnscheduledPod';
  if (!same(oldPod.metadata?.labels, newPod.metadata?.labels)) out.push(ev(resource, ActionType.UpdatePodLabel, `${name}UpdatePodLabel`));
  if (isScaleDown(oldPod, newPod)) out.push(ev(resource, ActionType.UpdatePodScaleDown, `${name}UpdatePodScaleDown`));
  if (!same(oldPod.spec?.tolerations, newPod.spec?.tolerations)) out.push(ev(resource, ActionType.UpdatePodTolerations, `${name}UpdatePodTolerations`));
  if ((oldPod.spec?.schedulingGates?.length ?? 0) > 0 && (newPod.spec?.schedulingGates?.length ?? 0) === 0) {
    out.push(ev(resource, ActionType.UpdatePodSchedulingGatesEliminated, `${name}UpdatePodSchedulingGatesEliminated`));
  }
  if (out.length === 0) out.push(ev(resource, ActionType.Update, `${name}Update`));
  return out;
}

function isScaleDown(oldPod: Pod, newPod: Pod): boolean {
  if (same(oldPod.spec?.containers?.map((c) => c.resources?.requests), newPod.spec?.containers?.map((c) => c.resources?.requests))) return false;
  const o = podRequests(oldPod);
  const n = podRequests(newPod);
  if (n.milliCPU < o.milliCPU || n.memory < o.memory || n.ephemeralStorage < o.ephemeralStorage) return true;
  for (const [k, v] of o.scalar) if ((n.scalar.get(k) ?? 0) < v) return true;
  return false;
}

const taintsKey = (ts: Taint[] | undefined) => JSON.stringify((ts ?? []).map((t) => [t.key, t.value ?? '', t.effect]));

/** The scheduling-relevant changes of a node update (upstream nodeSchedulingPropertiesChange). */
export function nodeSchedulingPropertiesChange(newNode: Node, oldNode: Node): LabeledEvent[] {
  const out: LabeledEvent[] = [];
  if ((oldNode.spec?.unschedulable ?? false) !== (newNode.spec?.unschedulable ?? false)) out.push(ev('Node', ActionType.UpdateNodeTaint, 'NodeSpecUnschedulableChange'));
  if (!same(oldNode.status?.allocatable, newNode.status?.allocatable)) out.push(ev('Node', ActionType.UpdateNodeAllocatable, 'NodeAllocatableChange'));
  if (!same(oldNode.metadata?.labels, newNode.metadata?.labels)) out.push(ev('Node', ActionType.UpdateNodeLabel, 'NodeLabelChange'));
  if (taintsKey(oldNode.spec?.taints) !== taintsKey(newNode.spec?.taints)) out.push(ev('Node', ActionType.UpdateNodeTaint, 'NodeTaintChange'));
  const conds = (n: Node) => JSON.stringify((n.status?.conditions ?? []).map((c) => [c.type, c.status]));
  if (conds(oldNode) !== conds(newNode)) out.push(ev('Node', ActionType.UpdateNodeCondition, 'NodeConditionChange'));
  if (!same(oldNode.metadata?.annotations, newNode.metadata?.annotations)) out.push(ev('Node', ActionType.UpdateNodeAnnotation, 'NodeAnnotationChange'));
  return out;
}
