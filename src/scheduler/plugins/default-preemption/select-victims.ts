// The dry run on one node (upstream DefaultPreemption.SelectVictimsOnNode). Works on copies of
// the node and the cycle state: remove every lower-priority pod, check that the preemptor fits,
// then add the pods back one by one — PDB-violating ones first, each group most important first —
// keeping each that still lets the preemptor fit. What could not be reprieved are the victims.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { podUsage, type PodInfo } from '../../framework/pod-info.js';
import { isSuccess, Status } from '../../framework/status.js';
import type { Handle } from '../../framework/types.js';
import { splitByPDBViolation } from './pdb.js';
import { byImportance, podPriority } from './priority.js';

export const NO_VICTIMS_REASON = 'No preemption victims found for incoming pod';

export type FilterRunner = Pick<Handle, 'runFilterPluginsWithNominatedPods' | 'runPreFilterExtensionAddPod' | 'runPreFilterExtensionRemovePod'>;

export interface NodeVictims {
  /** Most important first. */
  pods: Pod[];
  numPDBViolations: number;
}

class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message());
  }
}

function removePod(fw: FilterRunner, state: CycleState, pod: Pod, nodeInfo: NodeInfo, pi: PodInfo): void {
  nodeInfo.removePodInfo(pi);
  const s = fw.runPreFilterExtensionRemovePod(state, pod, pi, nodeInfo);
  if (!isSuccess(s)) throw new StatusError(s as Status);
}

function addPod(fw: FilterRunner, state: CycleState, pod: Pod, nodeInfo: NodeInfo, pi: PodInfo): void {
  nodeInfo.addPodInfo(pi);
  const s = fw.runPreFilterExtensionAddPod(state, pod, pi, nodeInfo);
  if (!isSuccess(s)) throw new StatusError(s as Status);
}

/** Adds pi back; if the preemptor no longer fits, removes it again and it is a victim (false). */
function reprieve(fw: FilterRunner, state: CycleState, pod: Pod, nodeInfo: NodeInfo, pi: PodInfo, victims: Pod[]): boolean {
  addPod(fw, state, pod, nodeInfo, pi);
  if (isSuccess(fw.runFilterPluginsWithNominatedPods(state, pod, nodeInfo))) return true;
  removePod(fw, state, pod, nodeInfo, pi);
  victims.push(pi.pod);
  return false;
}

/**
 * `state` and `nodeInfo` must be copies: they are changed. Returns the victims, or the status
 * that explains why preempting on this node cannot help.
 */
export function selectVictimsOnNode(fw: FilterRunner, state: CycleState, pod: Pod, nodeInfo: NodeInfo, pdbs: readonly PodDisruptionBudget[], now: number): NodeVictims | Status {
  try {
    const prio = podPriority(pod);
    const potential = nodeInfo.pods.filter((pi) => podUsage(pi).priority < prio);
    // Nothing to remove: the node's state did not change, no need to evaluate it again.
    if (potential.length === 0) return Status.unresolvable(NO_VICTIMS_REASON);
    for (const pi of potential) removePod(fw, state, pod, nodeInfo, pi);

    // Even without every lower-priority pod the preemptor does not fit: preemption cannot help.
    // (Affinity to one of the removed pods is not considered, as upstream.)
    const fits = fw.runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
    if (!isSuccess(fits)) return fits as Status;

    const order = byImportance(now);
    if (potential.length > 1) potential.sort((a, b) => order(a.pod, b.pod));
    const { violating, nonViolating } = splitByPDBViolation(potential, pdbs);
    const victims: Pod[] = [];
    let numPDBViolations = 0;
    for (const pi of violating) if (!reprieve(fw, state, pod, nodeInfo, pi, victims)) numPDBViolations++;
    for (const pi of nonViolating) reprieve(fw, state, pod, nodeInfo, pi, victims);
    // Keep the victims most important first across both groups.
    if (violating.length && nonViolating.length) victims.sort(order);
    return { pods: victims, numPDBViolations };
  } catch (err) {
    if (err instanceof StatusError) return Status.error(new Error(err.status.message()));
    return Status.error(err);
  }
}
