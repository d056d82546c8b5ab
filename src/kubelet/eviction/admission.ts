// Pod admission under node pressure (upstream managerImpl.Admit): with no pressure every pod is
// admitted; critical pods always are; under memory pressure alone only BestEffort pods are
// refused, unless they tolerate the memory-pressure taint; any other pressure refuses every pod.
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { isMirrorPod, isStaticPod, podQosClass } from '../pod-util.js';
import { evictedReason, nodeConditionMessage, type NodeConditionType } from './types.js';

/** upstream scheduling.SystemCriticalPriority (2 × the highest user-definable priority). */
export const systemCriticalPriority = 2 * 1_000_000_000;

export const taintNodeMemoryPressure = 'node.kubernetes.io/memory-pressure';

export interface AdmitResult {
  admit: boolean;
  reason?: string;
  message?: string;
}

/** upstream kubelettypes.IsCriticalPod: static, mirror, or priority ≥ system-critical. */
export function isCriticalPod(pod: Pod): boolean {
  if (isStaticPod(pod) || isMirrorPod(pod)) return true;
  return pod.spec?.priority !== undefined && pod.spec.priority >= systemCriticalPriority;
}

/** upstream Toleration.ToleratesTaint for a taint with no value. */
function tolerates(t: Toleration, key: string, effect: string): boolean {
  if (t.effect && t.effect !== effect) return false;
  if (t.key && t.key !== key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.operator ?? 'Equal') === 'Equal' && (t.value ?? '') === '';
}

export function admitPod(pod: Pod, conditions: NodeConditionType[]): AdmitResult {
  if (conditions.length === 0) return { admit: true };
  if (isCriticalPod(pod)) return { admit: true };
  if (conditions.length === 1 && conditions[0] === 'MemoryPressure') {
    if (podQosClass(pod) !== 'BestEffort') return { admit: true };
    if ((pod.spec?.tolerations ?? []).some((t) => tolerates(t, taintNodeMemoryPressure, 'NoSchedule'))) return { admit: true };
  }
  return { admit: false, reason: evictedReason, message: nodeConditionMessage(conditions) };
}
