// PrioritySort (upstream plugins/queuesort): activeQ order is higher spec.priority first, then
// earlier queue timestamp (FIFO among equals). A pod without spec.priority counts as 0.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PluginFactory, QueuedPodInfo, QueueSortPlugin } from '../../framework/types.js';

export const NAME = 'PrioritySort';

export const podPriority = (pod: Pod): number => pod.spec?.priority ?? 0;

export class PrioritySortPlugin implements QueueSortPlugin {
  readonly name = NAME;

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const p1 = podPriority(a.podInfo.pod);
    const p2 = podPriority(b.podInfo.pod);
    return p1 > p2 || (p1 === p2 && a.timestamp < b.timestamp);
  }
}

export const factory: PluginFactory = () => new PrioritySortPlugin();
