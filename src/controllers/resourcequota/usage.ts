// A quota's status.used computed from the objects in its namespace (upstream
// quota.CalculateUsage): for each kind whose evaluator is charged for one of the quota's hard
// resources, the usage of every object its scopes select, summed; then restricted to the hard
// resources (resources no kind accounts for keep their previous value).
import { evaluatorFor, scopesSelect, type QuotaLike } from '../../api/quota/evaluators.js';
import { add, mask, resourceList, type ResourceList } from '../../api/quota/resource-list.js';
import type { KubeObject } from '../../api/object.js';

export interface TrackedKind {
  group: string;
  resource: string;
  /** The objects of this kind in the quota's namespace. */
  objects: KubeObject[];
}

export function calculateUsage(quota: QuotaLike, kinds: TrackedKind[], now: number): ResourceList {
  const hard = resourceList(quota.spec?.hard);
  const hardNames = Object.keys(hard);
  let used: ResourceList = {};
  for (const kind of kinds) {
    const evaluator = evaluatorFor(kind.group, kind.resource);
    const matching = evaluator.matchingResources(hardNames);
    if (!matching.length) continue;
    let sum: ResourceList = Object.fromEntries(matching.map((n) => [n, '0']));
    for (const obj of kind.objects) {
      if (!scopesSelect(quota, evaluator, obj)) continue;
      sum = add(sum, mask(evaluator.usage(obj, now), matching));
    }
    used = { ...used, ...sum };
  }
  return mask({ ...resourceList(quota.status?.used), ...used }, hardNames);
}

/** The group/resource a "count/<resource>.<group>" name counts, if it is one. */
export function parseObjectCountName(name: string): { group: string; resource: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}
