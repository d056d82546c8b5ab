// NodeUnschedulable (upstream plugins/nodeunschedulable): a cordoned node (spec.unschedulable)
// takes only pods that tolerate the node.kubernetes.io/unschedulable:NoSchedule taint, which the
// node lifecycle controller puts on such nodes anyway.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { ROW_NO_NODE, ROW_UNSCHEDULABLE, nodeRow } from '../../framework/node-table.js';
import { Code, Status, type MaybeStatus } from '../../framework/status.js';
import { ActionType, QueueingHint, type ClusterEventWithHint, type EnqueueExtensions, type FilterPlugin, type PluginFactory } from '../../framework/types.js';
import { tolerationsTolerateTaint } from '../taint-toleration/tolerations.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const ERR_REASON_UNKNOWN_CONDITION = 'node(s) had unknown conditions';

const UNKNOWN_CONDITION = Status.shared(Code.UnschedulableAndUnresolvable, ERR_REASON_UNKNOWN_CONDITION, NAME);
const UNSCHEDULABLE = Status.shared(Code.UnschedulableAndUnresolvable, ERR_REASON_UNSCHEDULABLE, NAME);
const unschedulableTaint: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
const toleratesUnschedulable = (pod: Pod) => tolerationsTolerateTaint(pod.spec?.tolerations, unschedulableTaint);

export class NodeUnschedulablePlugin implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint },
        // Only a node that turned schedulable (or was added schedulable) can help.
        hint: (_log, _pod, oldObj, newObj) => {
          const was = oldObj ? !(oldObj as Node).spec?.unschedulable : false;
          const now = !(newObj as Node | undefined)?.spec?.unschedulable;
          return !was && now ? QueueingHint.Queue : QueueingHint.Skip;
        },
      },
      {
        event: { resource: 'Pod', actionType: ActionType.UpdatePodTolerations },
        // Only the rejected pod itself, and only when the update made it tolerate the taint.
        hint: (_log, pod, oldObj, newObj) => {
          const original = oldObj as Pod | undefined;
          const updated = newObj as Pod | undefined;
          if (!updated || updated.metadata?.uid !== pod.metadata?.uid) return QueueingHint.Skip;
          if (original && toleratesUnschedulable(original)) return QueueingHint.Skip;
          return toleratesUnschedulable(updated) ? QueueingHint.Queue : QueueingHint.Skip;
        },
      },
    ];
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    // Fast path: the node's row says it has a Node that is not cordoned.
    const row = nodeRow(nodeInfo);
    if (row >= 0 && (nodeInfo.table!.flags[row]! & (ROW_NO_NODE | ROW_UNSCHEDULABLE)) === 0) return undefined;
    const node = nodeInfo.node;
    if (!node) return UNKNOWN_CONDITION;
    if (!node.spec?.unschedulable) return undefined;
    return toleratesUnschedulable(pod) ? undefined : UNSCHEDULABLE;
  }
}

export const factory: PluginFactory = () => new NodeUnschedulablePlugin();
