// Why a pod fits nowhere (upstream framework.Diagnosis and FitError): the per-node statuses, the
// plugins that rejected it (only their events can requeue it), and the message users see in
// the FailedScheduling event and the PodScheduled condition:
//   "0/5 nodes are available: 2 node(s) had untolerated taint {a: b}, 3 Insufficient cpu.
//    preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod."
// Reasons are counted per node and sorted as strings, as upstream's sortReasonsHistogram.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { NodeToStatusMap } from './framework/node-to-status.js';
import { Code, type Status } from './framework/status.js';

export interface Diagnosis {
  nodeToStatus: NodeToStatusMap;
  unschedulablePlugins: Set<string>;
  pendingPlugins: Set<string>;
  /** Set when PreFilter rejected the pod (then per-node reasons are not repeated). */
  preFilterMsg: string;
  /** What PostFilter (preemption) said. */
  postFilterMsg: string;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new NodeToStatusMap(), unschedulablePlugins: new Set(), pendingPlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
}

/** Records which plugin rejected (upstream Diagnosis.AddPluginStatus). */
export function addPluginStatus(d: Diagnosis, s: Status): void {
  if (!s.plugin || !s.isRejected()) return;
  if (s.code === Code.Pending) d.pendingPlugins.add(s.plugin);
  else d.unschedulablePlugins.add(s.plugin);
}

export const NO_NODE_AVAILABLE_MSG = '0/%v nodes are available';

export class FitError extends Error {
  /** The message up to what PostFilter adds: the diagnosis is complete when the error is made. */
  private readonly reasons: string;

  constructor(
    readonly pod: Pod,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    const reasons = reasonsMessage(numAllNodes, diagnosis);
    super(withPostFilter(reasons, diagnosis));
    this.reasons = reasons;
    this.name = 'FitError';
  }

  /** The message with what PostFilter added since construction (the per-node histogram is not counted again). */
  text(): string {
    return withPostFilter(this.reasons, this.diagnosis);
  }
}

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  return withPostFilter(reasonsMessage(numAllNodes, d), d);
}

const withPostFilter = (reasons: string, d: Diagnosis) => (d.postFilterMsg ? `${reasons} ${d.postFilterMsg}.` : reasons);

function reasonsMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const counts = new Map<string, number>();
    let explicit = 0;
    for (const [, s] of d.nodeToStatus.entries()) {
      explicit++;
      for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    const absent = d.nodeToStatus.absentNodesStatus;
    if (absent && explicit < numAllNodes) for (const r of absent.reasons) counts.set(r, (counts.get(r) ?? 0) + numAllNodes - explicit);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  return msg;
}

/** "no nodes available to schedule pods" (upstream ErrNoNodesAvailable). */
export class NoNodesAvailableError extends Error {
  constructor() {
    super('no nodes available to schedule pods');
    this.name = 'NoNodesAvailableError';
  }
}
