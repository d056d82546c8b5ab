// Completion indexes of Indexed Jobs (upstream pkg/controller/job/indexed_job_utils.go): the
// annotation/label that carries a pod's index, and status.completedIndexes written as a
// compressed interval list ("1,3-5,7").
import type { Pod } from 'kubernetes-types/core/v1.js';

export const completionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';
export const completionIndexEnv = 'JOB_COMPLETION_INDEX';

/** The pod's completion index, or undefined when missing or not a non-negative integer. */
export function podCompletionIndex(pod: Pod): number | undefined {
  const v = pod.metadata?.annotations?.[completionIndexAnnotation] ?? pod.metadata?.labels?.[completionIndexAnnotation];
  if (v === undefined || !/^(0|[1-9][0-9]*)$/.test(v)) return undefined;
  return Number(v);
}

/** Parses "0-2,5" into its indexes below `completions` (bad parts are skipped, as upstream). */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    if (!part) continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(m[2] === undefined ? first : Number(m[2]), completions - 1);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return out;
}

/** Formats indexes as the compressed, sorted interval list upstream writes ("0-2,5"). */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `count` indexes in [0, completions) that are neither done nor held by a pod. */
export function firstPendingIndexes(completions: number, done: ReadonlySet<number>, held: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!done.has(i) && !held.has(i)) out.push(i);
  return out;
}
