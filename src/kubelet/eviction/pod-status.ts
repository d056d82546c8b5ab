// The statuses the node agent writes for eviction and for admission refused under pressure, as
// upstream: an evicted pod ends phase Failed, reason Evicted, the eviction message and a
// DisruptionTarget condition (TerminationByKubelet); a pod refused at admission ends phase Failed,
// reason Evicted, message "Pod was rejected: <message>" (kubelet rejectPod).
import type { PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { metaTime } from '../status/time.js';
import type { AdmitResult } from './admission.js';
import type { EvictPodOptions } from './manager.js';

function withCondition(conditions: PodCondition[] | undefined, c: PodCondition, now: number): PodCondition[] {
  const prev = conditions?.find((x) => x.type === c.type);
  const cond = { ...c, lastTransitionTime: prev?.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : metaTime(now) };
  return [...(conditions ?? []).filter((x) => x.type !== c.type), cond];
}

export function evictedPodStatus(prev: PodStatus | undefined, o: EvictPodOptions, now = Date.now()): PodStatus {
  return { ...(prev ?? {}), phase: 'Failed', reason: o.reason, message: o.message, conditions: withCondition(prev?.conditions, o.condition, now) };
}

export function rejectedPodStatus(prev: PodStatus | undefined, r: AdmitResult): PodStatus {
  return { ...(prev ?? {}), phase: 'Failed', reason: r.reason, message: `Pod was rejected: ${r.message ?? ''}` };
}
