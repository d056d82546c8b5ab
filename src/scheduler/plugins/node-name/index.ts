// NodeName (upstream plugins/nodename): a pod that names its node (spec.nodeName) fits only there.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Code, Status, type MaybeStatus } from '../../framework/status.js';
import { ActionType, QueueingHint, type ClusterEventWithHint, type EnqueueExtensions, type FilterPlugin, type PluginFactory } from '../../framework/types.js';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

const REJECTED = Status.shared(Code.UnschedulableAndUnresolvable, ERR_REASON, NAME);

export const fits = (pod: Pod, node: Node): boolean => !pod.spec?.nodeName || pod.spec.nodeName === node.metadata?.name;

export class NodeNamePlugin implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add },
        hint: (_log, pod, _oldObj, newObj) => (newObj && fits(pod, newObj as Node) ? QueueingHint.Queue : QueueingHint.Skip),
      },
    ];
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const node = nodeInfo.node;
    if (!node) return Status.error(new Error('node not found'));
    return fits(pod, node) ? undefined : REJECTED;
  }
}

export const factory: PluginFactory = () => new NodeNamePlugin();
