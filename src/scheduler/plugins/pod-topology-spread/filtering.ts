// PodTopologySpread's hard constraints (upstream filtering.go). PreFilter counts, per constraint,
// the matching pods in every eligible domain (topology value) over all nodes; Filter then only
// looks up the node's domain: 'matching pods there' + 'the pod itself if it matches' - 'global
// minimum' must not exceed maxSkew. The global minimum is 0 while fewer than minDomains domains
// exist. Preemption clones the state and adds/removes pods through addPod/removePod.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Cloneable } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { NodeInclusion, nodeLabelsMatchSpreadConstraints, type SpreadConstraint } from './constraints.js';
import { CriticalPaths } from './critical-paths.js';
import { countMatchingPods, memoKey } from './pod-count-memo.js';
import { requiredNodeAffinity } from './node-inclusion.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

export class SpreadFilterState implements Cloneable {
  constructor(
    readonly constraints: readonly SpreadConstraint[],
    /** Whether the incoming pod matches constraint i's selector (counts itself in the domain). */
    readonly selfMatch: readonly boolean[],
    /** The incoming pod's inclusion policies, kept for addPod/removePod. */
    readonly inclusion: NodeInclusion,
    readonly criticalPaths: CriticalPaths[],
    /** Per constraint: topology value → matching pods. Every eligible domain has an entry (maybe 0). */
    readonly tpValueToMatchNum: Map<string, number>[],
  ) {}

  minMatchNum(i: number): number {
    // Fewer eligible domains than minDomains: the global minimum is taken as 0.
    if (this.tpValueToMatchNum[i]!.size < this.constraints[i]!.minDomains) return 0;
    return this.criticalPaths[i]!.min;
  }

  clone(): SpreadFilterState {
    return new SpreadFilterState(
      this.constraints,
      this.selfMatch,
      this.inclusion,
      this.criticalPaths.map((p) => p.clone()),
      this.tpValueToMatchNum.map((m) => new Map(m)),
    );
  }

  /** Upstream updateWithPod: `updated` (on `node`) joins (+1) or leaves (-1) its domains. */
  updateWithPod(updated: Pod, preemptor: Pod, node: Node | undefined, delta: 1 | -1): void {
    if (!node || (updated.metadata?.namespace ?? '') !== (preemptor.metadata?.namespace ?? '')) return;
    const labels = node.metadata?.labels;
    if (!nodeLabelsMatchSpreadConstraints(labels, this.constraints)) return;
    const included = this.inclusion.evaluate(node, new Array<boolean>(this.constraints.length));
    this.constraints.forEach((c, i) => {
      if (!c.matches(updated.metadata?.labels) || !included[i]) return;
      const v = labels![c.topologyKey]!;
      const m = this.tpValueToMatchNum[i]!;
      const n = (m.get(v) ?? 0) + delta;
      m.set(v, n);
      this.criticalPaths[i]!.update(v, n);
    });
  }
}

/** Upstream calPreFilterState for hard constraints already parsed (non-empty). */
export function computeFilterState(pod: Pod, constraints: SpreadConstraint[], nodes: readonly NodeInfo[]): SpreadFilterState {
  const ns = pod.metadata?.namespace ?? '';
  const inclusion = new NodeInclusion(constraints, pod, requiredNodeAffinity(pod));
  const counts = constraints.map(() => new Map<string, number>());
  const included = new Array<boolean>(constraints.length).fill(true);
  const values = new Array<string>(constraints.length);
  const keys = constraints.map((c) => memoKey(c, ns));
  const n = constraints.length;
  nextNode: for (const ni of nodes) {
    const node = ni.node;
    if (!node) continue;
    const labels = node.metadata?.labels;
    if (!labels) continue;
    // Every topology key must be a label of the node (own string values only).
    for (let i = 0; i < n; i++) {
      const v = labels[constraints[i]!.topologyKey];
      if (typeof v !== 'string') continue nextNode;
      values[i] = v;
    }
    if (!inclusion.trivial) inclusion.evaluate(node, included);
    for (let i = 0; i < n; i++) {
      if (!included[i]) continue;
      const m = counts[i]!;
      const value = values[i]!;
      m.set(value, (m.get(value) ?? 0) + countMatchingPods(ni, constraints[i]!, ns, keys[i]!));
    }
  }
  const paths = counts.map((m) => {
    const p = new CriticalPaths();
    for (const [value, num] of m) p.update(value, num);
    return p;
  });
  const selfMatch = constraints.map((c) => c.matches(pod.metadata?.labels));
  return new SpreadFilterState(constraints, selfMatch, inclusion, paths, counts);
}

/** Upstream Filter for one node. */
export function filterNode(s: SpreadFilterState, node: Node): Status | undefined {
  const labels = node.metadata?.labels ?? {};
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const tpVal = labels[c.topologyKey];
    if (tpVal === undefined) return Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
    const matchNum = s.tpValueToMatchNum[i]!.get(tpVal) ?? 0;
    const skew = matchNum + (s.selfMatch[i] ? 1 : 0) - s.minMatchNum(i);
    if (skew > c.maxSkew) return Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
  }
  return undefined;
}
