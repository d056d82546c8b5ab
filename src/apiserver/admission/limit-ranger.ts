// The LimitRanger admission plugin (upstream plugin/pkg/admission/limitranger): containers of a
// new pod get the default requests and limits of the namespace's LimitRanges (type Container),
// recorded in the kubernetes.io/limit-ranger annotation; then pods (per container and per pod)
// and claims are checked against min, max and maxLimitRequestRatio, with upstream's messages.
import type { KubeObject } from '../../api/object.js';
import { podResourceTotals, type Container, type PodSpec } from '../../api/quota/evaluators.js';
import { resourceList, type ResourceList } from '../../api/quota/resource-list.js';
import { compareQuantities, formatQuantity, parseQuantity, toMilliBigInt } from '../../api/validation/quantity.js';
import { podQOSClass } from '../registry/kind-hooks.js';
import { listPrefix } from '../registry/resource-entry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { WatchCache } from '../watch-cache.js';
import { admissionForbidden, type AdmissionAttributes, type AdmissionPlugin } from './admission.js';

export const limitRangerAnnotation = 'kubernetes.io/limit-ranger';

interface LimitRangeItem {
  type?: string;
  max?: Record<string, unknown>;
  min?: Record<string, unknown>;
  default?: Record<string, unknown>;
  defaultRequest?: Record<string, unknown>;
  maxLimitRequestRatio?: Record<string, unknown>;
}

interface LimitRange extends KubeObject {
  spec?: { limits?: LimitRangeItem[] };
}

const show = (q: string) => formatQuantity(parseQuantity(q));

export function minConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  if (req === undefined) return `minimum ${name} usage per ${type} is ${show(enforced)}.  No request is specified`;
  if (compareQuantities(req, enforced) < 0) return `minimum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(req)}`;
  if (lim !== undefined && compareQuantities(lim, enforced) < 0) return `minimum ${name} usage per ${type} is ${show(enforced)}, but limit is ${show(lim)}`;
  return undefined;
}

export function maxConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  if (lim === undefined) return `maximum ${name} usage per ${type} is ${show(enforced)}.  No limit is specified`;
  if (compareQuantities(lim, enforced) > 0) return `maximum ${name} usage per ${type} is ${show(enforced)}, but limit is ${show(lim)}`;
  if (req !== undefined && compareQuantities(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(req)}`;
  return undefined;
}

/** Max for kinds whose limits are not user input (claims): checked against the request. */
export function maxRequestConstraint(type: string, name: string, enforced: string, requests: ResourceList): string | undefined {
  const req = requests[name];
  if (req === undefined) return `maximum ${name} usage per ${type} is ${show(enforced)}.  No request is specified`;
  if (compareQuantities(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(req)}`;
  return undefined;
}

export function limitRequestRatioConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const reqMilli = req === undefined ? 0n : toMilliBigInt(req);
  const limMilli = lim === undefined ? 0n : toMilliBigInt(lim);
  if (reqMilli === 0n) return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but no request is specified or request is 0`;
  if (limMilli === 0n) return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but no limit is specified or limit is 0`;
  const ratio = Number(limMilli) / Number(reqMilli);
  if (ratio * 1000 > Number(toMilliBigInt(enforced))) {
    return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  }
  return undefined;
}

/** Sets missing requests/limits from the Container defaults; returns the annotation value parts. */
export function applyContainerDefaults(spec: PodSpec, ranges: LimitRange[]): string[] {
  const requests: ResourceList = {};
  const limits: ResourceList = {};
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      Object.assign(requests, resourceList(item.defaultRequest));
      Object.assign(limits, resourceList(item.default));
    }
  }
  const notes: string[] = [];
  const merge = (c: Container, what: string) => {
    const res = (c.resources ??= {});
    const setLimits: string[] = [];
    const setRequests: string[] = [];
    for (const [k, v] of Object.entries(limits)) {
      if (res.limits && k in res.limits) continue;
      (res.limits ??= {})[k] = v;
      setLimits.push(k);
    }
    for (const [k, v] of Object.entries(requests)) {
      if (res.requests && k in res.requests) continue;
      (res.requests ??= {})[k] = v;
      setRequests.push(k);
    }
    if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${what} ${c.name ?? ''}`);
    if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${what} ${c.name ?? ''}`);
  };
  for (const c of spec.containers ?? []) merge(c, 'container');
  for (const c of spec.initContainers ?? []) merge(c, 'init container');
  return notes;
}

/** Every violation of one LimitRange by a pod. */
export function podViolations(spec: PodSpec, lr: LimitRange): string[] {
  const errs: string[] = [];
  const check = (type: string, item: LimitRangeItem, requests: ResourceList, limits: ResourceList) => {
    for (const [k, v] of Object.entries(resourceList(item.min))) errs.push(minConstraint(type, k, v, requests, limits) ?? '');
    for (const [k, v] of Object.entries(resourceList(item.max))) errs.push(maxConstraint(type, k, v, requests, limits) ?? '');
    for (const [k, v] of Object.entries(resourceList(item.maxLimitRequestRatio))) errs.push(limitRequestRatioConstraint(type, k, v, requests, limits) ?? '');
  };
  for (const item of lr.spec?.limits ?? []) {
    if (item.type === 'Container') {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        check('Container', item, resourceList(c.resources?.requests), resourceList(c.resources?.limits));
      }
    } else if (item.type === 'Pod') {
      check('Pod', item, podResourceTotals(spec, 'requests', { excludeOverhead: true }), podResourceTotals(spec, 'limits', { excludeOverhead: true }));
    }
  }
  return errs.filter(Boolean);
}

/** Every violation of one LimitRange by a claim's storage request. */
export function claimViolations(claim: KubeObject, lr: LimitRange): string[] {
  const requests = resourceList((claim.spec as { resources?: { requests?: unknown } } | undefined)?.resources?.requests);
  const errs: (string | undefined)[] = [];
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of Object.entries(resourceList(item.min))) errs.push(minConstraint('PersistentVolumeClaim', k, v, requests, {}));
    for (const [k, v] of Object.entries(resourceList(item.max))) errs.push(maxRequestConstraint('PersistentVolumeClaim', k, v, requests));
  }
  return errs.filter((e): e is string => !!e);
}

/** utilerrors.NewAggregate's message: one error as is, several as "[a, b]". */
function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

type Target = 'pod' | 'claim' | undefined;

function targetOf(a: AdmissionAttributes): Target {
  if (a.entry.type.group !== '' || a.subresource !== '') return undefined;
  if (a.entry.type.plural === 'pods') return a.operation === 'CREATE' ? 'pod' : undefined;
  if (a.entry.type.plural === 'persistentvolumeclaims') return a.operation === 'CREATE' || a.operation === 'UPDATE' ? 'claim' : undefined;
  return undefined;
}

export function limitRanger(deps: { cache: WatchCache; registry: ResourceRegistry }): AdmissionPlugin {
  const entry = deps.registry.find('', 'v1', 'limitranges')!;
  // Read from the watch cache, which trails storage by at most a moment (upstream reads an informer).
  const rangesIn = (namespace: string): LimitRange[] => {
    const prefix = listPrefix(entry, namespace);
    const out: LimitRange[] = [];
    for (const [key, obj] of deps.cache.resourceFor(entry.prefix).objects) if (key.startsWith(prefix)) out.push(obj as LimitRange);
    return out;
  };
  return {
    name: 'LimitRanger',
    admit(a) {
      if (targetOf(a) !== 'pod') return;
      const ranges = rangesIn(a.namespace);
      if (!ranges.length) return;
      const spec = (a.object.spec ??= {}) as PodSpec;
      const notes = applyContainerDefaults(spec, ranges);
      if (!notes.length) return;
      const meta = (a.object.metadata ??= {});
      meta.annotations = { ...meta.annotations, [limitRangerAnnotation]: `LimitRanger plugin set: ${notes.join('; ')}` };
      // The QoS class was computed before admission; defaults may have changed it.
      const status = a.object.status as { qosClass?: string } | undefined;
      if (status?.qosClass) status.qosClass = podQOSClass(spec as never);
    },
    validate(a) {
      const target = targetOf(a);
      if (!target) return;
      const ranges = rangesIn(a.namespace);
      for (const lr of ranges) {
        const errs = target === 'pod' ? podViolations((a.object.spec ?? {}) as PodSpec, lr) : claimViolations(a.object, lr);
        if (errs.length) throw admissionForbidden(a, aggregate(errs));
      }
    },
  };
}
