// Which nodes run a daemon pod (upstream daemon_controller.go NodeShouldRunDaemonPod and
// pkg/controller/daemon/util): the pod's nodeSelector and required node affinity must match the
// node, and every NoSchedule/NoExecute taint must be tolerated. A pod already running keeps
// running while only NoExecute taints are tolerated. Daemon pods get upstream's default
// tolerations and are pinned to their node by node affinity (matchFields metadata.name), not by
// spec.nodeName: the scheduler binds them.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { toleratesTaint } from '../../api/tolerations.js';

export { toleratesTaint };

const tolerated = (tolerations: readonly Toleration[], taint: Taint) => tolerations.some((t) => toleratesTaint(t, taint));

/** Upstream AddOrUpdateDaemonPodTolerations: the tolerations every daemon pod gets. */
export function addDaemonTolerations(spec: PodSpec): void {
  const add: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) add.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const list = [...(spec.tolerations ?? [])];
  for (const t of add) {
    const i = list.findIndex((x) => x.key === t.key && x.effect === t.effect);
    if (i >= 0) list[i] = t;
    else list.push(t);
  }
  spec.tolerations = list;
}

/** Upstream ReplaceDaemonSetPodNodeNameNodeAffinity: required affinity to exactly this node. */
export function pinToNode(spec: PodSpec, nodeName: string): void {
  const field: NodeSelectorRequirement = { key: 'metadata.name', operator: 'In', values: [nodeName] };
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  let terms: NodeSelectorTerm[];
  if (!required?.nodeSelectorTerms?.length) terms = [{ matchFields: [field] }];
  else terms = required.nodeSelectorTerms.map((t) => ({ ...t, matchFields: [field] }));
  spec.affinity = { ...spec.affinity, nodeAffinity: { ...spec.affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
}

/** The node a daemon pod is for: spec.nodeName, else its matchFields metadata.name affinity (upstream GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const t of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const a = Number(value);
      const b = Number(values[0]);
      if (!Number.isInteger(a) || !Number.isInteger(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions and fields do; an empty term matches nothing (upstream). */
function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  return exprs.every((r) => requirementMatches(r, labels[r.key])) && fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name));
}

/** nodeSelector and required node affinity (terms ORed) match the node. */
export function fitsNodeAffinity(spec: PodSpec, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && !terms.some((t) => termMatches(t, node))) return false;
  return true;
}

/**
 * Upstream NodeShouldRunDaemonPod: shouldRun (a new pod may be placed) and shouldContinueRunning
 * (an existing pod may stay: only NoExecute taints evict).
 */
export function nodeShouldRunDaemonPod(spec: PodSpec, node: Node): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const pod: PodSpec = structuredClone(spec);
  addDaemonTolerations(pod);
  pinToNode(pod, node.metadata?.name ?? '');
  if (!fitsNodeAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  const tolerations = pod.tolerations ?? [];
  const noExecuteOk = taints.filter((t) => t.effect === 'NoExecute').every((t) => tolerated(tolerations, t));
  const noScheduleOk = taints.filter((t) => t.effect === 'NoSchedule').every((t) => tolerated(tolerations, t));
  return { shouldRun: noExecuteOk && noScheduleOk, shouldContinueRunning: noExecuteOk };
}
