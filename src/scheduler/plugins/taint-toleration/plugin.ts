// TaintToleration (upstream plugins/tainttoleration): Filter rejects a node with a NoSchedule or
// NoExecute taint the pod does not tolerate (preemption cannot help: UnschedulableAndUnresolvable);
// Score counts the PreferNoSchedule taints the pod does not tolerate, and NormalizeScore reverses
// it so the node with the fewest such taints scores 100.
import type { Node, Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { ROW_DO_NOT_SCHEDULE_TAINT, ROW_NO_NODE, ROW_PREFER_NO_SCHEDULE_TAINT, nodeRow } from '../../framework/node-table.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import {
  ActionType,
  MAX_NODE_SCORE,
  QueueingHint,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type NodeScore,
  type PreScorePlugin,
  type ScoreExtensions,
  type ScorePlugin,
} from '../../framework/types.js';
import { defaultNormalizeScore } from '../node-affinity/default-normalize-score.js';
import { doNotScheduleTaint, findMatchingUntoleratedTaint, tolerationsTolerateTaint } from './tolerations.js';

export const NAME = 'TaintToleration';
const PRE_SCORE_KEY = `PreScore${NAME}`;

export const untoleratedTaintReason = (key: string, value: string | undefined) => `node(s) had untolerated taint {${key}: ${value ?? ''}}`;

/** Tolerations that can apply to PreferNoSchedule taints: that effect or no effect (all effects). */
const preferNoScheduleTolerations = (pod: Pod): Toleration[] => (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');

function countIntolerablePreferNoSchedule(node: Node, tolerations: Toleration[]): number {
  const taints = node.spec?.taints;
  if (!taints) return 0;
  let n = 0;
  for (const taint of taints) {
    if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) n++;
  }
  return n;
}

const hasPreferNoScheduleTaint = (ni: NodeInfo): boolean => {
  // The node's row says so without reading the Node (PreScore asks this of every feasible node).
  const row = nodeRow(ni);
  if (row >= 0) return (ni.table!.flags[row]! & ROW_PREFER_NO_SCHEDULE_TAINT) !== 0;
  const taints = ni.node?.spec?.taints;
  if (!taints) return false;
  for (const t of taints) if (t.effect === 'PreferNoSchedule') return true;
  return false;
};

const untolerated = (node: Node | undefined, pod: Pod) => (node ? findMatchingUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, doNotScheduleTaint) : undefined);

export class TaintTolerationPlugin implements FilterPlugin, PreScorePlugin, ScorePlugin, ScoreExtensions, EnqueueExtensions {
  readonly name = NAME;

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint },
        // Only a node whose NoSchedule/NoExecute taints became tolerated can help.
        hint: (_log, pod, oldObj, newObj) => {
          const wasUntolerated = oldObj ? untolerated(oldObj as Node, pod) !== undefined : true;
          const isUntolerated = untolerated(newObj as Node, pod) !== undefined;
          return wasUntolerated && !isUntolerated ? QueueingHint.Queue : QueueingHint.Skip;
        },
      },
      {
        event: { resource: 'Pod', actionType: ActionType.UpdatePodTolerations },
        // A toleration added to the rejected pod itself may make it schedulable; others' do not.
        hint: (_log, pod, _oldObj, newObj) => ((newObj as Pod | undefined)?.metadata?.uid === pod.metadata?.uid ? QueueingHint.Queue : QueueingHint.Skip),
      },
    ];
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    // Fast path: the node's row says it has a Node without NoSchedule/NoExecute taints.
    const row = nodeRow(nodeInfo);
    if (row >= 0 && (nodeInfo.table!.flags[row]! & (ROW_NO_NODE | ROW_DO_NOT_SCHEDULE_TAINT)) === 0) return undefined;
    const node = nodeInfo.node;
    if (!node) return Status.error(new Error('node not found'));
    const taints = node.spec?.taints;
    if (!taints?.length) return undefined;
    const taint = findMatchingUntoleratedTaint(taints, pod.spec?.tolerations, doNotScheduleTaint);
    return taint ? Status.unresolvable(untoleratedTaintReason(taint.key, taint.value)) : undefined;
  }

  preScore(state: CycleState, pod: Pod, nodes?: NodeInfo[]): MaybeStatus {
    // No candidate has a PreferNoSchedule taint: every node would count 0 and normalize to 100, the
    // same for all, which changes no node's rank; Score is skipped.
    if (nodes && !nodes.some(hasPreferNoScheduleTaint)) return Status.skip();
    state.write(PRE_SCORE_KEY, preferNoScheduleTolerations(pod));
    return undefined;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number | Status {
    const node = nodeInfo.node;
    if (!node) return Status.error(new Error('node not found'));
    const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY) ?? preferNoScheduleTolerations(pod);
    return countIntolerablePreferNoSchedule(node, tolerations);
  }

  scoreExtensions(): ScoreExtensions {
    return this;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
    return undefined;
  }
}
