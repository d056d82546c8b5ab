// PodTopologySpread's hard constraints (upstream filtering.go). PreFilter counts, per constraint,
// the matching pods in every eligible domain (topology value) over all nodes; Filter then only
// looks up the node's domain: 'matching pods there' + 'the pod itself if it matches' - 'global
// minimum' must not exceed maxSkew. The global minimum is 0 while fewer than minDomains domains
// exist. Preemption clones the state and adds/removes pods through addPod/removePod. The counts
// come from domain-index.ts, which keeps them across cycles instead of recounting every node.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Cloneable } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Code, Status } from '../../framework/status.js';
import { NodeInclusion, nodeLabelsMatchSpreadConstraints, type SpreadConstraint } from './constraints.js';
import { CriticalPaths } from './critical-paths.js';
import type { DomainIndexes } from './domain-index.js';
import { requiredNodeAffinity } from './node-inclusion.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
// (The plugin's name as a literal: plugin.ts imports this module.)
const NODE_LABEL_NOT_MATCH = Status.shared(Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_LABEL_NOT_MATCH, 'PodTopologySpread');
const CONSTRAINTS_NOT_MATCH = Status.shared(Code.Unschedulable, ERR_REASON_CONSTRAINTS_NOT_MATCH, 'PodTopologySpread');

export class SpreadFilterState implements Cloneable {
  /** The index version tpCounts were read at (see current()). */
  private readonly version: number;
  /** The shared counts had changed when this state (a clone) copied them. */
  private stale = false;

  constructor(
    readonly constraints: readonly SpreadConstraint[],
    /** Whether the incoming pod matches constraint i's selector (counts itself in the domain). */
    readonly selfMatch: readonly boolean[],
    /** The incoming pod's inclusion policies, kept for addPod/removePod. */
    readonly inclusion: NodeInclusion,
    readonly criticalPaths: CriticalPaths[],
    /**
     * Per constraint: topology value → matching pods. Every eligible domain has an entry (maybe 0).
     * Owned by `source` (domain-index.ts) while it is set: updateWithPod copies them first.
     */
    private tpCounts: ReadonlyMap<string, number>[],
    private source?: { readonly version: number },
  ) {
    this.version = source?.version ?? 0;
  }

  get tpValueToMatchNum(): readonly ReadonlyMap<string, number>[] {
    return this.tpCounts;
  }

  /**
   * Whether the counts are still those of this state's cycle. Shared counts are valid until the
   * plugin's next PreFilter changes them; the framework reads a state only within its cycle.
   */
  current(): boolean {
    return !this.stale && (this.source === undefined || this.source.version === this.version);
  }

  minMatchNum(i: number): number {
    // Fewer eligible domains than minDomains: the global minimum is taken as 0.
    if (this.tpCounts[i]!.size < this.constraints[i]!.minDomains) return 0;
    return this.criticalPaths[i]!.min;
  }

  clone(): SpreadFilterState {
    const c = new SpreadFilterState(
      this.constraints,
      this.selfMatch,
      this.inclusion,
      this.criticalPaths.map((p) => p.clone()),
      this.tpCounts.map((m) => new Map(m)),
    );
    c.stale = !this.current();
    return c;
  }

  /** Upstream updateWithPod: `updated` (on `node`) joins (+1) or leaves (-1) its domains. */
  updateWithPod(updated: Pod, preemptor: Pod, node: Node | undefined, delta: 1 | -1): void {
    if (!node || (updated.metadata?.namespace ?? '') !== (preemptor.metadata?.namespace ?? '')) return;
    const labels = node.metadata?.labels;
    if (!nodeLabelsMatchSpreadConstraints(labels, this.constraints)) return;
    if (this.source) {
      // The counts belong to the index: change a copy.
      this.stale = !this.current();
      this.tpCounts = this.tpCounts.map((m) => new Map(m));
      this.source = undefined;
    }
    const included = this.inclusion.evaluate(node, new Array<boolean>(this.constraints.length));
    this.constraints.forEach((c, i) => {
      if (!c.matches(updated.metadata?.labels) || !included[i]) return;
      const v = labels![c.topologyKey]!;
      const m = this.tpCounts[i] as Map<string, number>;
      const n = (m.get(v) ?? 0) + delta;
      m.set(v, n);
      this.criticalPaths[i]!.update(v, n);
    });
  }
}

/**
 * Upstream calPreFilterState for hard constraints already parsed (non-empty): the matching pods
 * per eligible domain over `nodes`, read from the incrementally kept sums in `indexes`.
 */
export function computeFilterState(pod: Pod, constraints: SpreadConstraint[], nodes: readonly NodeInfo[], indexes: DomainIndexes): SpreadFilterState {
  const ns = pod.metadata?.namespace ?? '';
  const inclusion = new NodeInclusion(constraints, pod, requiredNodeAffinity(pod));
  const index = indexes.get({ mode: 'filter', ns, constraints, inclusion, counted: constraints.map(() => true) }, nodes);
  const counts = constraints.map((_, i) => index.matchNums(i));
  const paths = constraints.map((_, i) => index.criticalPaths(i));
  const selfMatch = constraints.map((c) => c.matches(pod.metadata?.labels));
  return new SpreadFilterState(constraints, selfMatch, inclusion, paths, counts, index);
}

/** Upstream Filter for one node. */
export function filterNode(s: SpreadFilterState, node: Node): Status | undefined {
  const labels = node.metadata?.labels ?? {};
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const tpVal = labels[c.topologyKey];
    if (tpVal === undefined) return NODE_LABEL_NOT_MATCH;
    const matchNum = s.tpValueToMatchNum[i]!.get(tpVal) ?? 0;
    const skew = matchNum + (s.selfMatch[i] ? 1 : 0) - s.minMatchNum(i);
    if (skew > c.maxSkew) return CONSTRAINTS_NOT_MATCH;
  }
  return undefined;
}
