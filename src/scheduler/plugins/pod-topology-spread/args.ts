// PodTopologySpreadArgs (upstream config.PodTopologySpreadArgs, v1 defaults and validation):
// cluster-level default constraints for pods that declare none. defaultingType "System" (the
// default) uses upstream's built-in ones; "List" uses defaultConstraints. Default constraints
// carry no selector: it is deduced per pod from the Services/controllers selecting it.
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';

export type DefaultingType = 'System' | 'List';

export interface PodTopologySpreadArgs {
  defaultConstraints: TopologySpreadConstraint[];
  defaultingType: DefaultingType;
}

/** Upstream systemDefaultConstraints. */
export const systemDefaultConstraints: TopologySpreadConstraint[] = [
  { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

export function parsePodTopologySpreadArgs(raw: Record<string, unknown> | undefined): PodTopologySpreadArgs {
  const defaultingType = (raw?.defaultingType ?? 'System') as DefaultingType;
  const defaultConstraints = (Array.isArray(raw?.defaultConstraints) ? raw.defaultConstraints : []) as TopologySpreadConstraint[];
  if (defaultingType !== 'System' && defaultingType !== 'List') {
    throw new Error(`defaultingType: Unsupported value: ${JSON.stringify(defaultingType)}: supported values: "System", "List"`);
  }
  if (defaultingType === 'System' && defaultConstraints.length > 0) {
    throw new Error('defaultConstraints: Invalid value: when .defaultingType is "System", .defaultConstraints must be empty');
  }
  const seen = new Set<string>();
  defaultConstraints.forEach((c, i) => {
    const path = `defaultConstraints[${i}]`;
    if (!(Number.isInteger(c.maxSkew) && c.maxSkew > 0)) throw new Error(`${path}.maxSkew: Invalid value: ${c.maxSkew}: not in valid range [1, 2147483647]`);
    if (!c.topologyKey) throw new Error(`${path}.topologyKey: Required value: can not be empty`);
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      throw new Error(`${path}.whenUnsatisfiable: Unsupported value: ${JSON.stringify(c.whenUnsatisfiable)}: supported values: "DoNotSchedule", "ScheduleAnyway"`);
    }
    const key = `${c.topologyKey}/${c.whenUnsatisfiable}`;
    if (seen.has(key)) throw new Error(`${path}: Duplicate value: {${JSON.stringify(c.topologyKey)}, ${JSON.stringify(c.whenUnsatisfiable)}}`);
    seen.add(key);
    if (c.labelSelector) throw new Error(`${path}.labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod`);
  });
  return { defaultConstraints, defaultingType };
}
