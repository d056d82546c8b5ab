// RemovePodsViolatingTopologySpreadConstraintArgs (upstream types.go, defaults.go,
// validation.go): which constraints to act on (hard ones unless told), whether to evict only
// pods that fit a node below the ideal average, and the usual namespaces/labelSelector.
import { labelSelectorAsSelector } from '../../../api/selectors/labels.js';
import type { UnsatisfiableAction } from '../../../scheduler/plugins/pod-topology-spread/constraints.js';
import { validateNamespaces } from '../../pod-utils.js';
import type { PodSelectionArgs } from '../common-args.js';

export interface TopologySpreadArgs extends PodSelectionArgs {
  constraints?: UnsatisfiableAction[];
  topologyBalanceNodeFit?: boolean;
}

export function defaults(raw: Record<string, unknown>): TopologySpreadArgs {
  const a = { ...(raw as TopologySpreadArgs) };
  return { ...a, constraints: a.constraints ?? ['DoNotSchedule'], topologyBalanceNodeFit: a.topologyBalanceNodeFit ?? true };
}

/** Go's %v of the supported set (sets.Set is a map, printed with sorted keys). */
const SUPPORTED = 'map[DoNotSchedule:{} ScheduleAnyway:{}]';

/** Every problem, joined as upstream's errors.NewAggregate prints them. */
export function validate(a: TopologySpreadArgs): string | undefined {
  const errs: string[] = [];
  const ns = validateNamespaces(a.namespaces);
  if (ns) errs.push(ns);
  if (a.labelSelector) {
    try {
      labelSelectorAsSelector(a.labelSelector);
    } catch (e) {
      errs.push(`failed to get label selectors from strategy's params: ${(e as Error).message}`);
    }
  }
  for (const c of a.constraints ?? []) if (c !== 'DoNotSchedule' && c !== 'ScheduleAnyway') errs.push(`constraint ${c} is not one of ${SUPPORTED}`);
  if (errs.length === 0) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}
