// A pod's spread constraints as the plugin evaluates them (upstream common.go): the label
// selector parsed once, matchLabelKeys folded into it, and the defaults of the optional fields
// (minDomains 1, nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore). Pods that declare no
// constraints get the cluster defaults, with a selector deduced from what selects the pod.
import type { Node, Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { labelSelectorAsSelector, selectorFromSet, selectorToString, type Selector } from '../../../api/selectors/labels.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { defaultSelector, type SpreadListers } from './default-selector.js';
import { compileSelector, type LabelMatcher } from './label-matcher.js';
import { hasUntoleratedDoNotScheduleTaint, type RequiredNodeAffinity } from './node-inclusion.js';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';

export type UnsatisfiableAction = 'DoNotSchedule' | 'ScheduleAnyway';

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  /** `selector` compiled (built with it). */
  matches: LabelMatcher;
  /** `selector` as text: what per-node counts are remembered under (pod-count-memo.ts). */
  selectorKey: string;
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

const selectorKeyOf = (s: Selector) => (s.nothing ? '<nothing>' : selectorToString(s));

/** The constraints with `action` (hard or soft), parsed. Throws on an invalid selector. */
export function filterTopologySpreadConstraints(list: readonly TopologySpreadConstraint[], podLabels: Record<string, string> | undefined, action: UnsatisfiableAction): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  for (const c of list) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = labelSelectorAsSelector(c.labelSelector ?? null);
    if (c.matchLabelKeys?.length) {
      const matchLabels: Record<string, string> = {};
      for (const key of c.matchLabelKeys) if (podLabels && key in podLabels) matchLabels[key] = podLabels[key]!;
      if (Object.keys(matchLabels).length > 0) {
        // Upstream mergeLabelSetWithSelector: a missing selector (Nothing) has no requirements to keep.
        const merged = selectorFromSet(matchLabels);
        selector = selector.nothing ? merged : { requirements: [...merged.requirements, ...selector.requirements] };
      }
    }
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      matches: compileSelector(selector),
      selectorKey: selectorKeyOf(selector),
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
    });
  }
  return out;
}

/** Upstream buildDefaultConstraints: the defaults with `action`, selecting the pod's siblings; none if nothing selects the pod. */
export function buildDefaultConstraints(pod: Pod, defaults: readonly TopologySpreadConstraint[], listers: SpreadListers | undefined, action: UnsatisfiableAction): SpreadConstraint[] {
  if (!listers) return [];
  const constraints = filterTopologySpreadConstraints(defaults, pod.metadata?.labels, action);
  if (constraints.length === 0) return [];
  const selector = defaultSelector(pod, listers);
  if (selector.requirements.length === 0) return [];
  const matches = compileSelector(selector);
  const selectorKey = selectorKeyOf(selector);
  return constraints.map((c) => ({ ...c, selector, matches, selectorKey }));
}

/** All the constraints' topology keys are labels of the node. */
export function nodeLabelsMatchSpreadConstraints(labels: Record<string, string> | undefined, constraints: readonly SpreadConstraint[]): boolean {
  if (!labels) return constraints.length === 0;
  for (const c of constraints) if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return false;
  return true;
}

export function podLabelsMatchSpreadConstraints(constraints: readonly SpreadConstraint[], labels: Record<string, string> | undefined): boolean {
  return constraints.some((c) => c.matches(labels));
}

/** Pods in `ns` on a node the selector matches, leaving out terminating ones (upstream countPodsMatchSelector). */
export function countPodsMatchSelector(pods: readonly PodInfo[], matches: LabelMatcher, ns: string): number {
  let n = 0;
  for (let i = 0; i < pods.length; i++) {
    const m = pods[i]!.pod.metadata;
    if (!m || m.deletionTimestamp || (m.namespace ?? '') !== ns) continue;
    if (matches(m.labels)) n++;
  }
  return n;
}

/**
 * Per node, whether each constraint's inclusion policies admit it, evaluating the pod's node
 * affinity and tolerations at most once per node (they are the same for every constraint).
 */
export class NodeInclusion {
  private readonly needsAffinity: boolean;
  private readonly needsTaints: boolean;
  /** Every node is included for every constraint (no policy needs checking): callers may skip evaluate. */
  readonly trivial: boolean;
  /**
   * The pod fields evaluate() reads, as text: two pods with the same constraints and signature
   * include the same nodes (lets domain-index.ts share sums across the pods of a workload).
   */
  readonly signature: string;

  constructor(
    private readonly constraints: readonly SpreadConstraint[],
    private readonly pod: Pod,
    private readonly affinity: RequiredNodeAffinity,
  ) {
    this.needsAffinity = !affinity.matchesAll && constraints.some((c) => c.nodeAffinityPolicy === 'Honor');
    this.needsTaints = constraints.some((c) => c.nodeTaintsPolicy === 'Honor');
    this.trivial = !this.needsAffinity && !this.needsTaints;
    const spec = pod.spec;
    this.signature =
      (this.needsAffinity ? JSON.stringify([spec?.nodeSelector ?? null, spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null]) : '') +
      '|' +
      (this.needsTaints ? JSON.stringify(spec?.tolerations ?? null) : '');
  }

  /** included[i] for constraint i on `node` (reuses `into`). */
  evaluate(node: Node, into: boolean[]): boolean[] {
    const affinityOk = this.needsAffinity ? this.affinity.match(node) : true;
    const taintsOk = this.needsTaints ? !hasUntoleratedDoNotScheduleTaint(node.spec?.taints, this.pod.spec?.tolerations) : true;
    for (let i = 0; i < this.constraints.length; i++) {
      const c = this.constraints[i]!;
      into[i] = (c.nodeAffinityPolicy !== 'Honor' || affinityOk) && (c.nodeTaintsPolicy !== 'Honor' || taintsOk);
    }
    return into;
  }
}
