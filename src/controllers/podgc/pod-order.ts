// Which terminated pods pod GC deletes first (upstream byEvictionAndCreationTimestamp): evicted
// pods, then the oldest, names breaking ties, so pods made by controllers survive longest.
import type { Pod } from 'kubernetes-types/core/v1.js';

/** status.phase Failed with reason Evicted (upstream eviction.PodIsEvicted). */
export function isPodEvicted(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' && pod.status.reason === 'Evicted';
}

/** Not Pending, Running or Unknown (an unset phase counts as terminated, as upstream). */
export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

export function compareForDeletion(a: Pod, b: Pod): number {
  const ea = isPodEvicted(a);
  const eb = isPodEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
