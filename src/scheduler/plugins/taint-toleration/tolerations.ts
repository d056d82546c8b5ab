// How tolerations match taints, exactly as upstream's Toleration.ToleratesTaint and
// component-helpers' FindMatchingUntoleratedTaint. Shared by TaintToleration, NodeUnschedulable
// and any plugin that honours taints (PodTopologySpread's nodeTaintsPolicy).
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { toleratesTaint, tolerationsTolerateTaint } from '../../../api/tolerations.js';

export { toleratesTaint, tolerationsTolerateTaint };

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
