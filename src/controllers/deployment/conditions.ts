// Deployment conditions and their upstream reasons (deploymentutil).
import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';

export const conditionAvailable = 'Available';
export const conditionProgressing = 'Progressing';
export const conditionReplicaFailure = 'ReplicaFailure';

export const reasons = {
  /** A new ReplicaSet was created for this rollout. */
  newRSCreated: 'NewReplicaSetCreated',
  /** The ReplicaSet for the current template already existed. */
  foundNewRS: 'FoundNewReplicaSet',
  /** The rollout made progress. */
  rsUpdated: 'ReplicaSetUpdated',
  /** The rollout completed. */
  newRSAvailable: 'NewReplicaSetAvailable',
  /** No progress within progressDeadlineSeconds. */
  timedOut: 'ProgressDeadlineExceeded',
  rsCreateError: 'ReplicaSetCreateError',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition (upstream SetDeploymentCondition): nothing changes when status and reason are
 * the same; the transition time is kept when only the reason changes. The set condition moves to
 * the end, as upstream.
 */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const cur = getCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  const next = { ...cond };
  if (cur && cur.status === cond.status) next.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}
