// Deployment status (upstream sync.go calculateStatus and deploymentutil's rollout predicates).
import type { Deployment, DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import { conditionAvailable, conditionProgressing, getCondition, newCondition, reasons, setCondition } from './conditions.js';
import { maxUnavailable, replicasOf } from './intorstr.js';
import { actualReplicaCount, availableReplicaCount, readyReplicaCount, specReplicaCount, type RS } from './replicasets.js';

/** Counts over the ReplicaSets, the Available condition, other conditions carried over. */
export function calculateStatus(allRSs: ReadonlyArray<RS | undefined>, newRS: RS | undefined, d: Deployment, now: number): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = specReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    conditions: (d.status?.conditions ?? []).map((c) => ({ ...c })),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(conditionAvailable, 'True', reasons.minimumAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition(conditionAvailable, 'False', reasons.minimumUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** progressDeadlineSeconds is set (and not "forever", MaxInt32). */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

/** Every replica updated and available, and this generation observed (upstream DeploymentComplete). */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const r = replicasOf(d);
  return (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** The new status shows progress over the stored one (upstream DeploymentProgressing). */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** No progress reported for progressDeadlineSeconds (upstream DeploymentTimedOut). */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, conditionProgressing);
  if (!c) return false;
  if (c.reason === reasons.newRSAvailable) return false;
  if (c.reason === reasons.timedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + d.spec!.progressDeadlineSeconds! * 1000 < now;
}

/** ReplicaSet ReplicaFailure as a deployment condition (upstream ReplicaSetToDeploymentCondition). */
export function replicaFailureOf(allRSs: ReadonlyArray<RS | undefined>, newRS: RS | undefined): DeploymentCondition | undefined {
  const ordered = [newRS, ...allRSs.filter((rs) => rs !== newRS)];
  for (const rs of ordered) {
    const c = rs?.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    if (c) return { type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime, reason: c.reason, message: c.message };
  }
  return undefined;
}
