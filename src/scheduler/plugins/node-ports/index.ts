// NodePorts (upstream plugins/nodeports): a node fits when none of the pod's host ports is taken
// there (same protocol and port, and the same host IP or 0.0.0.0 on either side). PreFilter
// collects the ports once; a pod without host ports skips Filter entirely.
import type { ContainerPort, Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Code, Status, type MaybeStatus } from '../../framework/status.js';
import { ActionType, QueueingHint, type ClusterEventWithHint, type EnqueueExtensions, type FilterPlugin, type PluginFactory, type PreFilterPlugin } from '../../framework/types.js';
import { fitsPorts, hostPorts, portInfoOf } from './host-ports.js';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
const REJECTED = Status.shared(Code.Unschedulable, ERR_REASON, NAME);
const PRE_FILTER_KEY = `PreFilter${NAME}`;

export class NodePortsPlugin implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      // Container ports are immutable, so only a deleted pod frees ports.
      {
        event: { resource: 'Pod', actionType: ActionType.Delete },
        hint: (_log, pod, oldObj) => {
          const deleted = oldObj as Pod | undefined;
          if (!deleted) return QueueingHint.Queue;
          if (!deleted.spec?.nodeName && !deleted.status?.nominatedNodeName) return QueueingHint.Skip;
          const freed = hostPorts(deleted);
          if (freed.length === 0) return QueueingHint.Skip;
          // Queue only if the deleted pod held a port this pod wants.
          return fitsPorts(hostPorts(pod), portInfoOf(freed)) ? QueueingHint.Skip : QueueingHint.Queue;
        },
      },
      { event: { resource: 'Node', actionType: ActionType.Add } },
    ];
  }

  preFilter(state: CycleState, pod: Pod, _nodes?: NodeInfo[]): MaybeStatus {
    const ports = hostPorts(pod);
    if (ports.length === 0) return Status.skip();
    state.write(PRE_FILTER_KEY, ports);
    return undefined;
  }

  preFilterExtensions(): undefined {
    return undefined;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const want = state.read<ContainerPort[]>(PRE_FILTER_KEY);
    if (!want) return Status.error(new Error(`reading "${PRE_FILTER_KEY}" from cycleState: not found`));
    return fitsPorts(want, nodeInfo.usedPorts) ? undefined : REJECTED;
  }
}

export const factory: PluginFactory = () => new NodePortsPlugin();
export { hostPorts, fitsPorts } from './host-ports.js';
