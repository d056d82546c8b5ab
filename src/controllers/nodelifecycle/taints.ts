// Taints the node lifecycle controller owns and how pods tolerate them (upstream
// pkg/controller/nodelifecycle and component-helpers' ToleratesTaint).
import type { Node, NodeCondition, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { toleratesTaint } from '../../api/tolerations.js';

export { toleratesTaint };

export const taintNotReady = 'node.kubernetes.io/not-ready';
export const taintUnreachable = 'node.kubernetes.io/unreachable';
export const taintUnschedulable = 'node.kubernetes.io/unschedulable';
export const taintMemoryPressure = 'node.kubernetes.io/memory-pressure';
export const taintDiskPressure = 'node.kubernetes.io/disk-pressure';
export const taintPIDPressure = 'node.kubernetes.io/pid-pressure';
export const taintNetworkUnavailable = 'node.kubernetes.io/network-unavailable';

/** Condition type → (status → taint key) for the NoSchedule taints (nodeConditionToTaintKeyStatusMap). */
const conditionTaints: Record<string, Record<string, string>> = {
  Ready: { False: taintNotReady, Unknown: taintUnreachable },
  MemoryPressure: { True: taintMemoryPressure },
  DiskPressure: { True: taintDiskPressure },
  NetworkUnavailable: { True: taintNetworkUnavailable },
  PIDPressure: { True: taintPIDPressure },
};

/** Every NoSchedule taint key this controller manages. */
export const managedNoScheduleKeys = new Set([taintNotReady, taintUnreachable, taintUnschedulable, taintMemoryPressure, taintDiskPressure, taintPIDPressure, taintNetworkUnavailable]);

export function condition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

/**
 * The NoSchedule taints a node's conditions call for. A node that has not reported Ready yet
 * counts as not ready, so nothing lands on it before its agent says so.
 */
export function desiredNoScheduleTaints(node: Node): string[] {
  const keys = new Set<string>();
  for (const [type, byStatus] of Object.entries(conditionTaints)) {
    const c = condition(node, type);
    const key = c ? byStatus[c.status] : type === 'Ready' ? taintNotReady : undefined;
    if (key) keys.add(key);
  }
  if (node.spec?.unschedulable) keys.add(taintUnschedulable);
  return [...keys].sort();
}

export function hasTaint(node: Node, key: string, effect: string): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === effect);
}

/** Whether all taints are tolerated, and the tolerations used (GetMatchingTolerations). */
export function matchingTolerations(taints: Taint[], tolerations: Toleration[]): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = tolerations.find((t) => toleratesTaint(t, taint));
    if (!match) return { allTolerated: false, used: [] };
    used.push(match);
  }
  return { allTolerated: true, used };
}

/** The shortest tolerationSeconds among tolerations (ms); -1 when all tolerate forever. */
export function minTolerationMs(tolerations: Toleration[]): number {
  let min = -1;
  for (const t of tolerations) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    const ms = Math.max(0, t.tolerationSeconds) * 1000;
    if (min < 0 || ms < min) min = ms;
  }
  return min;
}
