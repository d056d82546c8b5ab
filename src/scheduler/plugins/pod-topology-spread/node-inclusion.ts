// Which nodes count as domains for a pod's spread constraints (upstream
// topologySpreadConstraint.matchNodeInclusionPolicies): with nodeAffinityPolicy Honor only nodes
// matching the pod's nodeSelector and required node affinity; with nodeTaintsPolicy Honor only
// nodes whose NoSchedule/NoExecute taints the pod tolerates. The pod's node affinity is compiled
// once per cycle (PreFilter/PreScore), since it is tested against every node.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { toleratesTaint } from '../../../api/tolerations.js';

export interface RequiredNodeAffinity {
  match(node: Node): boolean;
  /** No nodeSelector and no required terms: every node matches (lets callers skip the call). */
  readonly matchesAll: boolean;
}

type LabelTest = (labels: Record<string, string>) => boolean;

const isInt = (s: string) => /^[+-]?\d+$/.test(s);

/** One matchExpressions entry as a predicate; undefined if it does not parse (the term then matches nothing, as upstream). */
function labelRequirement(r: NodeSelectorRequirement): LabelTest | undefined {
  const values = r.values ?? [];
  const has = (l: Record<string, string>) => Object.prototype.hasOwnProperty.call(l, r.key);
  switch (r.operator) {
    case 'In':
      if (values.length === 0) return undefined;
      return (l) => has(l) && values.includes(l[r.key]!);
    case 'NotIn':
      if (values.length === 0) return undefined;
      return (l) => !has(l) || !values.includes(l[r.key]!);
    case 'Exists':
      if (values.length !== 0) return undefined;
      return has;
    case 'DoesNotExist':
      if (values.length !== 0) return undefined;
      return (l) => !has(l);
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !isInt(values[0]!)) return undefined;
      const bound = BigInt(values[0]!);
      const gt = r.operator === 'Gt';
      return (l) => {
        const v = l[r.key];
        if (v === undefined || !isInt(v)) return false;
        return gt ? BigInt(v) > bound : BigInt(v) < bound;
      };
    }
    default:
      return undefined;
  }
}

/** matchFields supports metadata.name with In/NotIn and exactly one value (upstream nodeaffinity). */
function fieldRequirement(r: NodeSelectorRequirement): ((name: string) => boolean) | undefined {
  if (r.key !== 'metadata.name' || (r.values ?? []).length !== 1) return undefined;
  const v = r.values![0];
  if (r.operator === 'In') return (name) => name === v;
  if (r.operator === 'NotIn') return (name) => name !== v;
  return undefined;
}

function compileTerm(term: NodeSelectorTerm): ((node: Node) => boolean) | undefined {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  // An empty term matches no node.
  if (exprs.length === 0 && fields.length === 0) return undefined;
  const labelTests = exprs.map(labelRequirement);
  const fieldTests = fields.map(fieldRequirement);
  if (labelTests.includes(undefined) || fieldTests.includes(undefined)) return undefined;
  return (node) => {
    const labels = node.metadata?.labels ?? {};
    const name = node.metadata?.name ?? '';
    for (const t of labelTests) if (!t!(labels)) return false;
    for (const t of fieldTests) if (!t!(name)) return false;
    return true;
  };
}

/** Upstream nodeaffinity.GetRequiredNodeAffinity(pod): nodeSelector AND (any required term). */
export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  const selector = Object.entries(pod.spec?.nodeSelector ?? {});
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required ? (required.nodeSelectorTerms ?? []).map(compileTerm).filter((t): t is (node: Node) => boolean => t !== undefined) : undefined;
  return {
    matchesAll: selector.length === 0 && !terms,
    match(node) {
      const labels = node.metadata?.labels ?? {};
      for (const [k, v] of selector) if (labels[k] !== v) return false;
      if (!terms) return true;
      for (const t of terms) if (t(node)) return true;
      return false;
    },
  };
}

/** A NoSchedule or NoExecute taint none of the tolerations tolerates (upstream FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc). */
export function hasUntoleratedDoNotScheduleTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): boolean {
  if (!taints?.length) return false;
  const tols = tolerations ?? [];
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tols.some((t) => toleratesTaint(t, taint))) return true;
  }
  return false;
}
