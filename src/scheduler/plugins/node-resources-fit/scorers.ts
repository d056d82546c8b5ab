// NodeResourcesFit's scoring strategies (upstream least_allocated.go, most_allocated.go,
// requested_to_capacity_ratio.go and helper/shape_score.go). Integer arithmetic truncates as
// Go's int64 division does, so scores equal upstream's to the point.
import { MAX_NODE_SCORE } from '../../framework/types.js';
import { MAX_CUSTOM_PRIORITY_SCORE, type ResourceSpec, type UtilizationShapePoint } from './args.js';
import type { ResourceScorer } from './resource-allocation.js';

const MAX_UTILIZATION = 100;

/** (capacity - requested) / capacity × 100: favours nodes with more room left. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** requested / capacity × 100: favours fuller nodes (bin packing). */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  // requested may exceed capacity: pods without requests count as 100m/200Mi.
  const r = Math.min(requested, capacity);
  return Math.floor((r * MAX_NODE_SCORE) / capacity);
}

/** Weighted mean of per-resource scores, integer-divided (both Least and Most). */
function weightedScorer(resources: ResourceSpec[], per: (requested: number, capacity: number) => number): ResourceScorer {
  const scorer: ResourceScorer = (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const weight = resources[i]!.weight;
      nodeScore += per(requested[i]!, allocatable[i]!) * weight;
      weightSum += weight;
    }
    return weightSum === 0 ? 0 : Math.floor(nodeScore / weightSum);
  };
  if (resources.length === 2) {
    // The loop above for each node, unrolled, in the same order.
    const w0 = resources[0]!.weight;
    const w1 = resources[1]!.weight;
    scorer.pairs = (r0, a0, r1, a1, n, scores) => {
      for (let i = 0; i < n; i++) {
        let nodeScore = 0;
        let weightSum = 0;
        if (a0[i] !== 0) {
          nodeScore += per(r0[i]!, a0[i]!) * w0;
          weightSum += w0;
        }
        if (a1[i] !== 0) {
          nodeScore += per(r1[i]!, a1[i]!) * w1;
          weightSum += w1;
        }
        scores[i] = weightSum === 0 ? 0 : Math.floor(nodeScore / weightSum);
      }
    };
  }
  return scorer;
}

export const leastAllocatedScorer = (resources: ResourceSpec[]): ResourceScorer => weightedScorer(resources, leastRequestedScore);
export const mostAllocatedScorer = (resources: ResourceSpec[]): ResourceScorer => weightedScorer(resources, mostRequestedScore);

export interface FunctionShapePoint {
  utilization: number;
  score: number;
}

/**
 * Upstream helper.BuildBrokenLinearFunction: the score at utilization p, linearly interpolated
 * between the shape's points (truncated toward zero like Go's integer division); flat before the
 * first and after the last point.
 */
export function buildBrokenLinearFunction(shape: FunctionShapePoint[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      const cur = shape[i]!;
      if (p <= cur.utilization) {
        if (i === 0) return shape[0]!.score;
        const prev = shape[i - 1]!;
        return prev.score + Math.trunc(((cur.score - prev.score) * (p - prev.utilization)) / (cur.utilization - prev.utilization));
      }
    }
    return shape[shape.length - 1]!.score;
  };
}

/** Upstream requestedToCapacityRatioScorer: the shape (scores 0..10 scaled to 0..100) applied to each resource's utilization. */
export function requestedToCapacityRatioScorer(resources: ResourceSpec[], shape: UtilizationShapePoint[]): ResourceScorer {
  const raw = buildBrokenLinearFunction(shape.map((p) => ({ utilization: p.utilization, score: p.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE) })));
  const resourceScore = (requested: number, capacity: number) => {
    if (capacity === 0 || requested > capacity) return raw(MAX_UTILIZATION);
    return raw(Math.floor((requested * MAX_UTILIZATION) / capacity));
  };
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const weight = resources[i]!.weight;
      const s = resourceScore(requested[i]!, allocatable[i]!);
      if (s > 0) {
        nodeScore += s * weight;
        weightSum += weight;
      }
    }
    return weightSum === 0 ? 0 : Math.round(nodeScore / weightSum);
  };
}
