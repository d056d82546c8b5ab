// The BalancedAllocation score (upstream balanced_allocation.go balancedResourceScorer): each
// resource's requested fraction of allocatable (capped at 1), and (1 - standard deviation of the
// fractions) × 100, so nodes whose cpu and memory fill evenly rank first. With two resources the
// deviation is |f1 - f2| / 2; resources the node does not have are left out.
import { MAX_NODE_SCORE } from '../../framework/types.js';

export function balancedResourceScorer(requested: number[], allocatable: number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(requested[i]! / allocatable[i]!, 1);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  } else if (fractions.length > 2) {
    const mean = total / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
