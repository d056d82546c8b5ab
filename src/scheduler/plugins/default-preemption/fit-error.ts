// The text of a failed preemption (upstream framework.FitError.Error): "0/N nodes are
// available: " then a histogram of reasons, sorted as strings, counting nodes without an
// explicit status under the absent-nodes status.
import type { Status } from '../../framework/status.js';

export function fitErrorMessage(numAllNodes: number, statuses: ReadonlyMap<string, Status>, absentNodesStatus: Status): string {
  const reasons = new Map<string, number>();
  const add = (r: string, n: number) => reasons.set(r, (reasons.get(r) ?? 0) + n);
  for (const s of statuses.values()) for (const r of s.reasons) add(r, 1);
  if (statuses.size < numAllNodes) for (const r of absentNodesStatus.reasons) add(r, numAllNodes - statuses.size);
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
  let msg = `0/${numAllNodes} nodes are available:`;
  if (parts.length) msg += ` ${parts.join(', ')}.`;
  return msg;
}
