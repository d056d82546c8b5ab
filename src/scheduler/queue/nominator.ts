// Pods nominated to nodes by preemption (upstream nominator): the scheduler counts them on
// their nominated node (Filter with nominated pods) so the room preemption made is not taken by
// a lower-priority pod. Lists per node are kept highest priority first.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodNominator } from '../framework/types.js';
import type { PodInfo } from '../framework/pod-info.js';

const EMPTY: PodInfo[] = [];
const uidOf = (p: Pod) => p.metadata?.uid ?? '';
const prio = (p: Pod) => p.spec?.priority ?? 0;

export class Nominator implements PodNominator {
  private readonly byNode = new Map<string, PodInfo[]>();
  private readonly podToNode = new Map<string, string>();

  /** Whether a pod should not be nominated (already bound or assumed); set by the scheduler. */
  constructor(private readonly isScheduled: (pod: Pod) => boolean = () => false) {}

  nominatedPodsForNode(nodeName: string): PodInfo[] {
    return this.byNode.get(nodeName) ?? EMPTY;
  }

  nominatedNodeFor(pod: Pod): string | undefined {
    return this.podToNode.get(uidOf(pod));
  }

  get size(): number {
    return this.podToNode.size;
  }

  /** Nominates pod to nominatedNodeName ("" only removes a nomination). */
  addNominatedPod(podInfo: PodInfo, nominatedNodeName: string): void {
    this.deleteNominatedPodIfExists(podInfo.pod);
    if (!nominatedNodeName || this.isScheduled(podInfo.pod)) return;
    this.podToNode.set(uidOf(podInfo.pod), nominatedNodeName);
    const list = this.byNode.get(nominatedNodeName) ?? [];
    let i = list.length;
    while (i > 0 && prio(list[i - 1].pod) < prio(podInfo.pod)) i--;
    list.splice(i, 0, podInfo);
    this.byNode.set(nominatedNodeName, list);
  }

  /** Nominates from the pod's status.nominatedNodeName (what an informer update carries). */
  addFromStatus(podInfo: PodInfo): void {
    this.addNominatedPod(podInfo, podInfo.pod.status?.nominatedNodeName ?? '');
  }

  deleteNominatedPodIfExists(pod: Pod): void {
    const uid = uidOf(pod);
    const node = this.podToNode.get(uid);
    if (node === undefined) return;
    this.podToNode.delete(uid);
    const list = this.byNode.get(node);
    if (!list) return;
    const i = list.findIndex((pi) => uidOf(pi.pod) === uid);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byNode.delete(node);
  }

  /**
   * An informer update of a nominated pod. If neither version carries a nominatedNodeName but the
   * scheduler nominated it in memory (the status write has not come back yet), keep that node.
   */
  updateNominatedPod(oldPod: Pod, newPodInfo: PodInfo): void {
    let node = newPodInfo.pod.status?.nominatedNodeName ?? '';
    if (!oldPod.status?.nominatedNodeName && !node) node = this.podToNode.get(uidOf(oldPod)) ?? '';
    this.deleteNominatedPodIfExists(oldPod);
    this.addNominatedPod(newPodInfo, node);
  }
}
