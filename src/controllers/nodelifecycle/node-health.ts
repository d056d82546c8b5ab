// What the controller remembers about each node's heartbeats (upstream nodeHealthData) and the
// status it writes when they stop. The probe time is the controller's own clock at the moment
// it saw a heartbeat change (a new Ready lastHeartbeatTime or Lease renewTime), so clock skew
// between node and controller does not matter.
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { condition } from './taints.js';

export interface NodeHealth {
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  /** The Ready condition's lastHeartbeatTime last seen. */
  heartbeat?: string;
  readyStatus?: string;
  leaseRenewTime?: string;
}

/** Conditions set to Unknown when the node stops reporting. */
export const watchedConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Updates the saved health from what the node and its Lease show now; returns the grace
 * period that applies (startup grace while the node never posted Ready).
 */
export function observe(saved: NodeHealth | undefined, node: Node, lease: Lease | undefined, now: number, grace: { monitorMs: number; startupMs: number }): { health: NodeHealth; graceMs: number } {
  const ready = condition(node, 'Ready');
  const created = Date.parse(node.metadata?.creationTimestamp ?? '') || now;
  let health: NodeHealth;
  let graceMs = grace.monitorMs;
  if (!ready) {
    graceMs = grace.startupMs;
    health = saved ? { ...saved } : { probeTimestamp: created, readyTransitionTimestamp: created };
  } else if (!saved) {
    health = { probeTimestamp: now, readyTransitionTimestamp: now, heartbeat: ready.lastHeartbeatTime, readyStatus: ready.status };
  } else if (saved.heartbeat === undefined || saved.heartbeat !== ready.lastHeartbeatTime) {
    health = { ...saved, probeTimestamp: now, heartbeat: ready.lastHeartbeatTime, readyStatus: ready.status };
    if (saved.readyStatus !== ready.status) health.readyTransitionTimestamp = now;
  } else {
    health = { ...saved, readyStatus: ready.status };
  }
  const renew = lease?.spec?.renewTime;
  if (renew && renew !== health.leaseRenewTime) {
    // A renewal newer than what we saw last (or the first one we see) is a heartbeat.
    if (!health.leaseRenewTime || Date.parse(renew) > Date.parse(health.leaseRenewTime)) health.probeTimestamp = now;
    health.leaseRenewTime = renew;
  }
  return { health, graceMs };
}

/** The node's conditions with the watched ones set to Unknown, or undefined when nothing changes. */
export function markUnknown(node: Node, now: number): NodeCondition[] | undefined {
  const conditions = [...(node.status?.conditions ?? [])];
  const at = timestamp(now);
  let changed = false;
  for (const type of watchedConditions) {
    const i = conditions.findIndex((c) => c.type === type);
    if (i < 0) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp,
        lastTransitionTime: at,
      });
      changed = true;
    } else if (conditions[i].status !== 'Unknown') {
      conditions[i] = { ...conditions[i], status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at };
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
