// Node utilization as the nodeutilization plugins measure it (upstream nodeutilization.go):
// the requests of the pods bound to a node as a percentage of its allocatable, per resource
// (cpu, memory, pods, and extended resources by name).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { podRequests, resourceFromList, type Resource } from '../../../scheduler/framework/resource.js';
import { nodeUsage } from '../../node-fit.js';

export type Percentages = Record<string, number>;

export interface NodeInfo {
  node: Node;
  name: string;
  /** Absolute usage and capacity per resource (milli-CPU, bytes, pod count, units). */
  usage: Record<string, number>;
  capacity: Record<string, number>;
}

function amount(r: Resource, name: string, pods: number): number {
  if (name === 'cpu') return r.milliCPU;
  if (name === 'memory') return r.memory;
  if (name === 'pods') return pods;
  if (name === 'ephemeral-storage') return r.ephemeralStorage;
  return r.scalar.get(name) ?? 0;
}

export function nodeInfo(node: Node, pods: readonly Pod[], names: readonly string[]): NodeInfo {
  const { requested, pods: count } = nodeUsage(pods);
  const allocatable = resourceFromList(node.status?.allocatable as Record<string, string> | undefined);
  const usage: Record<string, number> = {};
  const capacity: Record<string, number> = {};
  for (const n of names) {
    usage[n] = amount(requested, n, count);
    capacity[n] = amount(allocatable, n, allocatable.allowedPodNumber);
  }
  return { node, name: node.metadata?.name ?? '', usage, capacity };
}

export function percentages(info: NodeInfo): Percentages {
  const out: Percentages = {};
  for (const n in info.usage) out[n] = info.capacity[n] ? (info.usage[n]! / info.capacity[n]!) * 100 : 0;
  return out;
}

/** What one pod takes, per resource (pods: 1). */
export function podAmounts(pod: Pod, names: readonly string[]): Record<string, number> {
  const r = podRequests(pod);
  const out: Record<string, number> = {};
  for (const n of names) out[n] = amount(r, n, 1);
  return out;
}

/** Upstream's threshold checks: each given resource in [0, 100]. */
export function validateThresholds(t: Percentages | undefined): string | undefined {
  if (!t || Object.keys(t).length === 0) return 'no resource threshold is configured';
  for (const [name, v] of Object.entries(t)) if (typeof v !== 'number' || v < 0 || v > 100) return `${name} threshold not in [0, 100] range`;
  return undefined;
}
