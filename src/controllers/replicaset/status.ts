// ReplicaSet status (upstream replica_set_utils.go): counts over the active pods the ReplicaSet
// owns, and the ReplicaFailure condition while creating or deleting pods fails.
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matchesLabels, selectorFromSet } from '../../api/selectors/labels.js';
import { isPodAvailable, isPodReady } from '../util/index.js';

export const replicaFailureCondition = 'ReplicaFailure';

function nowTime(now: number): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The status a sync arrives at; `manageError` is what creating/deleting pods failed with, if anything. */
export function calculateStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: unknown, now: number = Date.now()): ReplicaSetStatus {
  const status: ReplicaSetStatus = { ...(rs.status ?? { replicas: 0 }), conditions: [...(rs.status?.conditions ?? [])] };
  const templateLabels = selectorFromSet(rs.spec?.template?.metadata?.labels);
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (matchesLabels(templateLabels, pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }
  const failure = status.conditions!.find((c) => c.type === replicaFailureCondition);
  if (manageError && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const message = manageError instanceof Error ? manageError.message : String(manageError);
    const cond: ReplicaSetCondition = { type: replicaFailureCondition, status: 'True', lastTransitionTime: nowTime(now), reason, message };
    status.conditions!.push(cond);
  } else if (!manageError && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== replicaFailureCondition);
  }
  if (status.conditions!.length === 0) delete status.conditions;
  status.replicas = pods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/** True when writing `status` would change nothing (same counts, conditions, and generation observed). */
export function statusUpToDate(rs: ReplicaSet, status: ReplicaSetStatus): boolean {
  const cur = rs.status ?? { replicas: 0 };
  return (
    (cur.replicas ?? 0) === status.replicas &&
    (cur.fullyLabeledReplicas ?? 0) === (status.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (status.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (status.availableReplicas ?? 0) &&
    (cur.observedGeneration ?? 0) >= (rs.metadata?.generation ?? 0) &&
    JSON.stringify(cur.conditions ?? []) === JSON.stringify(status.conditions ?? [])
  );
}
