// The BalancedAllocation score (upstream balanced_allocation.go balancedResourceScorer): each
// resource's requested fraction of allocatable (capped at 1), and (1 - standard deviation of the
// fractions) × 100, so nodes whose cpu and memory fill evenly rank first. With two resources the
// deviation is |f1 - f2| / 2; resources the node does not have are left out.
import { MAX_NODE_SCORE } from '../../framework/types.js';

// Scratch space for the fractions: Score runs synchronously, once per node, so one buffer serves all.
let fractions = new Float64Array(4);

export function balancedResourceScorer(requested: number[], allocatable: number[]): number {
  if (fractions.length < requested.length) fractions = new Float64Array(requested.length);
  let n = 0;
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(requested[i]! / allocatable[i]!, 1);
    total += f;
    fractions[n++] = f;
  }
  let std = 0;
  if (n === 2) {
    std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  } else if (n > 2) {
    const mean = total / n;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (fractions[i]! - mean) * (fractions[i]! - mean);
    std = Math.sqrt(sum / n);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
