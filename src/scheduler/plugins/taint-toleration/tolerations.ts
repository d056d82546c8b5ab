// How tolerations match taints, exactly as upstream's Toleration.ToleratesTaint and
// component-helpers' FindMatchingUntoleratedTaint. Shared by TaintToleration, NodeUnschedulable
// and any plugin that honours taints (PodTopologySpread's nodeTaintsPolicy).
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

/**
 * An empty effect tolerates every effect; an empty key (only valid with Exists) tolerates every
 * key; operator Exists ignores the value, Equal (or empty) compares it. Unknown operators never
 * tolerate (Gt/Lt are behind an alpha gate upstream).
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The taints a pod must tolerate to be scheduled: NoSchedule and NoExecute. */
export const doNotScheduleTaint = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

/** The first taint (among those `inScope` selects) no toleration tolerates, or undefined. */
export function findMatchingUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  inScope: (t: Taint) => boolean,
): Taint | undefined {
  if (!taints) return undefined;
  for (const taint of taints) {
    if (!inScope(taint)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}
