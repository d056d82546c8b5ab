// The BalancedAllocation score (upstream balanced_allocation.go balancedResourceScorer): each
// resource's requested fraction of allocatable (capped at 1), and (1 - standard deviation of the
// fractions) × 100, so nodes whose cpu and memory fill evenly rank first. With two resources the
// deviation is |f1 - f2| / 2; resources the node does not have are left out.
import { MAX_NODE_SCORE } from '../../framework/types.js';
import type { ResourceScorer } from '../node-resources-fit/resource-allocation.js';

// Scratch space for the fractions: Score runs synchronously, once per node, so one buffer serves all.
let fractions = new Float64Array(4);

export const balancedResourceScorer: ResourceScorer = (requested: number[], allocatable: number[]): number => {
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
};

/** The scorer for two resources over many nodes (what the array form computes with n ≤ 2). */
balancedResourceScorer.pairs = (r0, a0, r1, a1, n, scores) => {
  for (let i = 0; i < n; i++) {
    let count = 0;
    let f0 = 0;
    let f1 = 0;
    if (a0[i] !== 0) {
      f0 = Math.min(r0[i]! / a0[i]!, 1);
      count++;
    }
    if (a1[i] !== 0) {
      const f = Math.min(r1[i]! / a1[i]!, 1);
      if (count === 0) f0 = f;
      else f1 = f;
      count++;
    }
    const std = count === 2 ? Math.abs((f0 - f1) / 2) : 0;
    scores[i] = Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
};
