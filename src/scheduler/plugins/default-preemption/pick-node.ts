// Choosing among candidate nodes (upstream pickOneNodeForPreemption): each criterion keeps the
// nodes with the best score, the next one breaks ties: fewest PDB violations, lowest
// highest-priority victim, lowest sum of priorities, fewest victims, latest start of the
// highest-priority victims; then the first node.
import type { NodeVictims } from './select-victims.js';
import { earliestStartOfHighestPriority, podPriority } from './priority.js';

const MAX_INT32_PLUS_ONE = 2 ** 31;

export function pickOneNodeForPreemption(nodesToVictims: Map<string, NodeVictims>, now: number): string | undefined {
  let candidates = [...nodesToVictims.keys()];
  if (candidates.length === 0) return undefined;
  const v = (node: string) => nodesToVictims.get(node)!;
  const scoreFuncs: ((node: string) => number)[] = [
    (node) => -v(node).numPDBViolations,
    (node) => -podPriority(v(node).pods[0]!),
    // Offset every priority to be positive so that a few negative-priority victims do not beat
    // fewer victims of the same negative priority.
    (node) => -v(node).pods.reduce((sum, p) => sum + podPriority(p) + MAX_INT32_PLUS_ONE, 0),
    (node) => -v(node).pods.length,
    (node) => earliestStartOfHighestPriority(v(node).pods, now) ?? Number.MIN_SAFE_INTEGER,
  ];
  for (const f of scoreFuncs) {
    let best = -Infinity;
    let selected: string[] = [];
    for (const node of candidates) {
      const s = f(node);
      if (s > best) {
        best = s;
        selected = [];
      }
      if (s === best) selected.push(node);
    }
    if (selected.length === 1) return selected[0];
    candidates = selected;
  }
  return candidates[0];
}
