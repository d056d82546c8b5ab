// Upstream plugins/helper DefaultNormalizeScore: scales raw scores so the highest becomes
// maxPriority (integer division, as Go's int64), optionally reversed (fewer is better). With all
// raw scores 0, every node gets 0, or maxPriority when reversed.
// (Lives here until a shared src/scheduler/plugins/helper/ exists; TaintToleration uses it too.)
import type { NodeScore } from '../../framework/types.js';

export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: NodeScore[]): void {
  let max = 0;
  for (const s of scores) if (s.score > max) max = s.score;
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = maxPriority;
    return;
  }
  for (const s of scores) {
    let score = Math.trunc((maxPriority * s.score) / max);
    if (reverse) score = maxPriority - score;
    s.score = score;
  }
}
