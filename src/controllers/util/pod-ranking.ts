// Which pods to delete first when scaling down (upstream ActivePodsWithRanks, with the
// PodDeletionCost and LogarithmicScaleDown features on, as they are by default). Earlier in the
// sorted order = deleted first:
//   1. unassigned < assigned
//   2. Pending < Unknown < Running
//   3. not ready < ready
//   4. lower controller.kubernetes.io/pod-deletion-cost < higher
//   5. more related pods on the same node ("doubled up") < fewer
//   6. ready for a shorter time < longer (compared in log2 buckets of age, then by uid)
//   7. more container restarts < fewer
//   8. no creation time < newer < older (log2 buckets, then uid)
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive, isPodReady, maxContainerRestarts, podReadyTime } from './pods.js';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** The pod's deletion cost (an int32 annotation; missing or invalid = 0). */
export function podDeletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[podDeletionCostAnnotation];
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

/**
 * For each pod of podsToRank, how many active pods of relatedPods share its node (upstream
 * getPodsRankedByRelatedPodsOnSameNode). Related pods are those of the same owner family (all
 * ReplicaSets of a Deployment).
 */
export function ranksByRelatedPodsOnSameNode(podsToRank: readonly Pod[], relatedPods: readonly Pod[]): number[] {
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  return podsToRank.map((p) => onNode.get(p.spec?.nodeName ?? '') ?? 0);
}

function time(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** afterOrZero: an unknown time sorts first, then the later time first. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** Difference of the log2 buckets of (now - t), in nanoseconds as upstream measures durations. */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const bucket = (t: number) => {
    const d = (now - t) * 1e6;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return bucket(t1) - bucket(t2);
}

function compareTimes(t1: number | undefined, t2: number | undefined, now: number, uid1: string, uid2: string): boolean {
  if (t1 === undefined || t2 === undefined) return afterOrZero(t1, t2);
  const diff = logarithmicRankDiff(t1, t2, now);
  if (diff === 0) return uid1 < uid2;
  return diff < 0;
}

/** True when pod a should be deleted before pod b (rank = ranksByRelatedPodsOnSameNode). */
export function podDeletesBefore(a: Pod, rankA: number, b: Pod, rankB: number, now: number): boolean {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const pa = phaseOrdinal[a.status?.phase ?? ''] ?? 0;
  const pb = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa < pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return !ra;
  const ca = podDeletionCost(a);
  const cb = podDeletionCost(b);
  if (ca !== cb) return ca < cb;
  if (rankA !== rankB) return rankA > rankB;
  const uidA = a.metadata?.uid ?? '';
  const uidB = b.metadata?.uid ?? '';
  if (ra && rb) {
    const ta = podReadyTime(a);
    const tb = podReadyTime(b);
    if (ta !== tb) return compareTimes(ta, tb, now, uidA, uidB);
  }
  const xa = maxContainerRestarts(a);
  const xb = maxContainerRestarts(b);
  if (xa !== xb) return xa > xb;
  const ta = time(a.metadata?.creationTimestamp);
  const tb = time(b.metadata?.creationTimestamp);
  if (ta !== tb) return compareTimes(ta, tb, now, uidA, uidB);
  return false;
}

/** pods sorted so the first ones are the ones to delete first. Does not modify the input. */
export function sortPodsForDeletion<P extends Pod>(pods: readonly P[], ranks: readonly number[], now: number = Date.now()): P[] {
  const idx = pods.map((_, i) => i);
  idx.sort((i, j) => (podDeletesBefore(pods[i], ranks[i], pods[j], ranks[j], now) ? -1 : podDeletesBefore(pods[j], ranks[j], pods[i], ranks[i], now) ? 1 : 0));
  return idx.map((i) => pods[i]);
}
