// Whether a pod may preempt at all (upstream DefaultPreemption.PodEligibleToPreemptOthers):
// not with preemptionPolicy Never; and not again while lower-priority pods it already preempted
// on its nominated node are still terminating — unless that node no longer suits it at all.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Code, type Status } from '../../framework/status.js';
import type { NodeInfoLister } from '../../framework/types.js';
import { podPriority } from './priority.js';

/** A pod being deleted because the scheduler preempted it (DisruptionTarget / PreemptionByScheduler). */
export function podTerminatingByPreemption(p: Pod): boolean {
  if (!p.metadata?.deletionTimestamp) return false;
  const c = p.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
  return c !== undefined && c.status === 'True' && c.reason === 'PreemptionByScheduler';
}

/**
 * undefined when eligible, else the reason (upstream's message). `evicting`: victims (by uid)
 * whose eviction this scheduler has under way, terminating already though the informer does not
 * show it yet (upstream's synchronous preemption has finished those calls before the next cycle).
 */
export function ineligibleReason(pod: Pod, nominatedNodeStatus: Status | undefined, lister: NodeInfoLister, evicting?: ReadonlySet<string>): string | undefined {
  if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = pod.status?.nominatedNodeName;
  if (!nominated) return undefined;
  // The nominated node cannot take the pod anymore whatever happens: look for another.
  if (nominatedNodeStatus?.code === Code.UnschedulableAndUnresolvable) return undefined;
  const ni = lister.get(nominated);
  if (!ni) return undefined;
  const prio = podPriority(pod);
  for (const pi of ni.pods) {
    if (podPriority(pi.pod) < prio && (podTerminatingByPreemption(pi.pod) || evicting?.has(pi.pod.metadata?.uid ?? ''))) return 'not eligible due to a terminating pod on the nominated node.';
  }
  return undefined;
}
