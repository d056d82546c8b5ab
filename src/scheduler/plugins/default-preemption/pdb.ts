// Which would-be victims a PodDisruptionBudget protects (upstream filterPodsWithPDBViolation).
// Each PDB's status.disruptionsAllowed is a budget: every matching victim not already listed in
// status.disruptedPods spends one; a victim that drives any of its PDBs below zero "violates".
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { labelSelectorAsSelector, isEverything, matchesLabels, type Selector } from '../../../api/selectors/labels.js';
import type { PodInfo } from '../../framework/pod-info.js';

function pdbSelector(pdb: PodDisruptionBudget): Selector | undefined {
  try {
    const sel = labelSelectorAsSelector(pdb.spec?.selector ?? null);
    // A PDB with a nil or empty selector matches nothing.
    return sel.nothing || isEverything(sel) ? undefined : sel;
  } catch {
    // An invalid selector matches no pod.
    return undefined;
  }
}

export function splitByPDBViolation(podInfos: readonly PodInfo[], pdbs: readonly PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map(pdbSelector);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const pi of podInfos) {
    const pod = pi.pod;
    const labels = pod.metadata?.labels ?? {};
    let violated = false;
    // A pod without labels matches no PDB.
    if (Object.keys(labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        const sel = selectors[i];
        if (!sel || pdb.metadata?.namespace !== pod.metadata?.namespace || !matchesLabels(sel, labels)) return;
        // Already counted by the disruption controller: do not spend the budget twice.
        if (pod.metadata?.name && pdb.status?.disruptedPods?.[pod.metadata.name] !== undefined) return;
        allowed[i]!--;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pi);
  }
  return { violating, nonViolating };
}
