// When an event may make a pod PodTopologySpread rejected schedulable (upstream plugin.go
// isSchedulableAfterPodChange / isSchedulableAfterNodeChange): a scheduled pod in the same
// namespace that matches (or stops matching) a constraint's selector appears, changes labels or
// goes away; the pod itself gains a toleration under nodeTaintsPolicy Honor; a node with all the
// topology keys appears, goes away, or changes its topology labels or taints.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isDeepStrictEqual } from 'node:util';
import { QueueingHint, type QueueingHintFn } from '../../framework/types.js';
import { nodeLabelsMatchSpreadConstraints, podLabelsMatchSpreadConstraints, type SpreadConstraint } from './constraints.js';

/** The incoming pod's hard constraints (or defaults); throws on an invalid selector. */
export type ConstraintsOf = (pod: Pod) => SpreadConstraint[];

const involvedInTopologySpreading = (incoming: Pod, withSpreading: Pod) =>
  (incoming.metadata?.uid !== undefined && incoming.metadata.uid === withSpreading.metadata?.uid) ||
  (!!incoming.spec?.nodeName && (incoming.metadata?.namespace ?? '') === (withSpreading.metadata?.namespace ?? ''));

export function podChangeHint(constraintsOf: ConstraintsOf): QueueingHintFn {
  return (_log, pod, oldObj, newObj) => {
    const original = oldObj as Pod | undefined;
    const modified = newObj as Pod | undefined;
    if ((modified && !involvedInTopologySpreading(modified, pod)) || (original && !involvedInTopologySpreading(original, pod))) return QueueingHint.Skip;
    let constraints: SpreadConstraint[];
    try {
      constraints = constraintsOf(pod);
    } catch {
      return QueueingHint.Queue;
    }
    if (modified && original) {
      const self = modified.metadata?.uid !== undefined && modified.metadata.uid === pod.metadata?.uid;
      if (self && !isDeepStrictEqual(modified.spec?.tolerations ?? [], original.spec?.tolerations ?? []) && constraints.some((c) => c.nodeTaintsPolicy === 'Honor')) {
        return QueueingHint.Queue;
      }
      if (isDeepStrictEqual(modified.metadata?.labels ?? {}, original.metadata?.labels ?? {})) return QueueingHint.Skip;
      for (const c of constraints) {
        if (c.matches(original.metadata?.labels) !== c.matches(modified.metadata?.labels)) return QueueingHint.Queue;
      }
      return QueueingHint.Skip;
    }
    const changed = modified ?? original;
    return changed && podLabelsMatchSpreadConstraints(constraints, changed.metadata?.labels) ? QueueingHint.Queue : QueueingHint.Skip;
  };
}

const topologyKeyLabelsChanged = (a: Record<string, string> | undefined, b: Record<string, string> | undefined, constraints: SpreadConstraint[]) =>
  constraints.some((c) => a?.[c.topologyKey] !== b?.[c.topologyKey]);

export function nodeChangeHint(constraintsOf: ConstraintsOf): QueueingHintFn {
  return (_log, pod, oldObj, newObj) => {
    const original = oldObj as Node | undefined;
    const modified = newObj as Node | undefined;
    let constraints: SpreadConstraint[];
    try {
      constraints = constraintsOf(pod);
    } catch {
      return QueueingHint.Queue;
    }
    const originalMatching = original ? nodeLabelsMatchSpreadConstraints(original.metadata?.labels ?? {}, constraints) : false;
    const modifiedMatching = modified ? nodeLabelsMatchSpreadConstraints(modified.metadata?.labels ?? {}, constraints) : false;
    if (original && modified) {
      if (originalMatching !== modifiedMatching) return QueueingHint.Queue;
      if (
        modifiedMatching &&
        (topologyKeyLabelsChanged(original.metadata?.labels, modified.metadata?.labels, constraints) || !isDeepStrictEqual(original.spec?.taints ?? [], modified.spec?.taints ?? []))
      ) {
        return QueueingHint.Queue;
      }
      return QueueingHint.Skip;
    }
    if (modified) return modifiedMatching ? QueueingHint.Queue : QueueingHint.Skip;
    return originalMatching ? QueueingHint.Queue : QueueingHint.Skip;
  };
}
