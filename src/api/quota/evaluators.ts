// How quota measures one object (upstream pkg/quota/v1/evaluator/core and quota/v1/generic): the
// resources a kind is charged for, its usage, whether a quota's scopes select it, and the pod
// constraint that cpu/memory quotas impose. Shared by the quota admission plugin (which charges
// one object) and the ResourceQuota controller (which sums a namespace).
import { add, resourceList, type ResourceList } from './resource-list.js';
import { compareQuantities } from '../validation/quantity.js';

interface Obj {
  metadata?: { namespace?: string; deletionTimestamp?: string; deletionGracePeriodSeconds?: number; annotations?: Record<string, string> };
  spec?: unknown;
  status?: unknown;
}

export interface ScopeSelectorRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface QuotaLike {
  metadata?: { name?: string };
  spec?: { hard?: Record<string, unknown>; scopes?: string[]; scopeSelector?: { matchExpressions?: ScopeSelectorRequirement[] } };
  status?: { hard?: Record<string, unknown>; used?: Record<string, unknown> };
}

export interface QuotaEvaluator {
  group: string;
  resource: string;
  /** Whether an admission request of this operation (and subresource) can change usage. */
  handles(operation: string, subresource: string): boolean;
  /** The names among `names` that this kind is charged for. */
  matchingResources(names: string[]): string[];
  /** What the object consumes; `now` (ms) decides whether a deleted pod still counts. */
  usage(obj: Obj, now: number): ResourceList;
  matchesScope(selector: ScopeSelectorRequirement, obj: Obj): boolean;
  /** A message ("must specify ...") when the object may not be admitted under these quota resources. */
  constraints(required: string[], obj: Obj): string | undefined;
}

/** "count/deployments.apps", "count/pods" — the object-count name of any resource. */
export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

// ---- pods ----------------------------------------------------------------------------------

export interface Container {
  name?: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  overhead?: Record<string, unknown>;
  activeDeadlineSeconds?: number;
  priorityClassName?: string;
  affinity?: { podAffinity?: AffinityTerms; podAntiAffinity?: AffinityTerms };
}

interface AffinityTerms {
  requiredDuringSchedulingIgnoredDuringExecution?: { namespaces?: string[]; namespaceSelector?: unknown }[];
  preferredDuringSchedulingIgnoredDuringExecution?: { podAffinityTerm?: { namespaces?: string[]; namespaceSelector?: unknown } }[];
}

const podResources = new Set([
  'count/pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods',
]);
// If a quota tracks cpu or memory, every container must state it (upstream keeps this for compatibility only).
const podValidationSet = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

function isExtendedResourceName(name: string): boolean {
  return !isNativeResource(name) && !name.startsWith('requests.');
}

function isExtendedResourceNameForQuota(name: string): boolean {
  return !isNativeResource(name) && name.startsWith('requests.');
}

function maxList(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) if (!(k in out) || compareQuantities(v, out[k]) > 0) out[k] = v;
  return out;
}

/** The pod's effective requests or limits: containers and sidecars summed, against the largest init step, plus overhead. */
export function podResourceTotals(spec: PodSpec | undefined, which: 'requests' | 'limits', opts: { excludeOverhead?: boolean } = {}): ResourceList {
  let containers: ResourceList = {};
  for (const c of spec?.containers ?? []) containers = add(containers, resourceList(c.resources?.[which]));
  let sidecars: ResourceList = {};
  let initMax: ResourceList = {};
  for (const c of spec?.initContainers ?? []) {
    const own = resourceList(c.resources?.[which]);
    if (c.restartPolicy === 'Always') {
      sidecars = add(sidecars, own);
      initMax = maxList(initMax, sidecars);
    } else {
      initMax = maxList(initMax, add(own, sidecars));
    }
  }
  let total = maxList(add(containers, sidecars), initMax);
  if (spec?.overhead && !opts.excludeOverhead) total = add(total, resourceList(spec.overhead));
  return total;
}

function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: '1' };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (r in requests) {
      out[r] = requests[r];
      out[`requests.${r}`] = requests[r];
    }
    if (r in limits) out[`limits.${r}`] = limits[r];
  }
  for (const [r, v] of Object.entries(requests)) {
    if (r.startsWith('hugepages-')) {
      out[r] = v;
      out[`requests.${r}`] = v;
    }
    if (isExtendedResourceName(r)) out[`requests.${r}`] = v;
  }
  return out;
}

/** Whether a pod is charged for compute (not terminal, not past its deletion grace period). */
export function podCountsForQuota(pod: Obj, now: number): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const meta = pod.metadata;
  if (meta?.deletionTimestamp && meta.deletionGracePeriodSeconds !== undefined) {
    const graceEnds = Date.parse(meta.deletionTimestamp) + meta.deletionGracePeriodSeconds * 1000;
    if (now > graceEnds) return false;
  }
  return true;
}

/** upstream qos.GetPodQOS == BestEffort: no container requests or limits cpu or memory. */
export function isBestEffort(spec: PodSpec | undefined): boolean {
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const which of ['requests', 'limits'] as const) {
      const list = c.resources?.[which] ?? {};
      if ('cpu' in list || 'memory' in list) return false;
    }
  }
  return true;
}

function crossNamespaceTerms(a: AffinityTerms | undefined): boolean {
  const terms = [...(a?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm ?? {})];
  return terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector != null);
}

function selectorMatches(req: ScopeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    default:
      return false;
  }
}

export function podMatchesScope(selector: ScopeSelectorRequirement, pod: Obj): boolean {
  const spec = pod.spec as PodSpec | undefined;
  switch (selector.scopeName) {
    case 'Terminating':
      return (spec?.activeDeadlineSeconds ?? -1) >= 0;
    case 'NotTerminating':
      return !((spec?.activeDeadlineSeconds ?? -1) >= 0);
    case 'BestEffort':
      return isBestEffort(spec);
    case 'NotBestEffort':
      return !isBestEffort(spec);
    case 'PriorityClass':
      if (selector.operator === 'Exists') return !!spec?.priorityClassName;
      return selectorMatches(selector, spec?.priorityClassName || undefined);
    case 'CrossNamespacePodAffinity':
      return crossNamespaceTerms(spec?.affinity?.podAffinity) || crossNamespaceTerms(spec?.affinity?.podAntiAffinity);
    default:
      return false;
  }
}

const podEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'pods',
  handles: (op, sub) => (sub === '' && op === 'CREATE') || (sub === 'resize' && op === 'UPDATE'),
  matchingResources: (names) => names.filter((n) => podResources.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || isExtendedResourceNameForQuota(n)),
  usage(pod, now) {
    const out: ResourceList = { 'count/pods': '1' };
    if (!podCountsForQuota(pod, now)) return out;
    const spec = pod.spec as PodSpec | undefined;
    return add(out, computeUsage(podResourceTotals(spec, 'requests'), podResourceTotals(spec, 'limits')));
  },
  matchesScope: podMatchesScope,
  constraints(required, pod) {
    const needed = required.filter((r) => podValidationSet.has(r));
    if (!needed.length) return undefined;
    const spec = pod.spec as PodSpec | undefined;
    const missing = new Map<string, Set<string>>();
    for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
      const has = computeUsage(resourceList(c.resources?.requests), resourceList(c.resources?.limits));
      for (const r of needed) {
        if (r in has) continue;
        if (!missing.has(r)) missing.set(r, new Set());
        missing.get(r)!.add(c.name ?? '');
      }
    }
    if (!missing.size) return undefined;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
};

// ---- services ------------------------------------------------------------------------------

interface ServiceSpec {
  type?: string;
  ports?: { nodePort?: number }[];
  allocateLoadBalancerNodePorts?: boolean;
}

const serviceResources = new Set(['services', 'count/services', 'services.loadbalancers', 'services.nodeports']);

const serviceEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'services',
  handles: (op, sub) => sub === '' && (op === 'CREATE' || op === 'UPDATE'),
  matchingResources: (names) => names.filter((n) => serviceResources.has(n)),
  usage(svc) {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    const out: ResourceList = { services: '1', 'count/services': '1' };
    const ports = spec.ports ?? [];
    if (spec.type === 'NodePort') out['services.nodeports'] = String(ports.length);
    if (spec.type === 'LoadBalancer') {
      out['services.loadbalancers'] = '1';
      const nodePorts = spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length;
      out['services.nodeports'] = String(nodePorts);
    }
    return out;
  },
  matchesScope: () => false,
  constraints: () => undefined,
};

// ---- persistent volume claims --------------------------------------------------------------

interface PvcShape {
  spec?: { storageClassName?: string; resources?: { requests?: Record<string, unknown> } };
  status?: { allocatedResources?: Record<string, unknown> };
}

const storageClassSuffix = '.storageclass.storage.k8s.io/';

function pvcStorageClass(pvc: Obj): string | undefined {
  return (pvc as PvcShape).spec?.storageClassName ?? pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'];
}

const pvcEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  handles: (op, sub) => sub === '' && (op === 'CREATE' || op === 'UPDATE'),
  matchingResources: (names) =>
    names.filter((n) => ['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage'].includes(n) || (n.includes(storageClassSuffix) && (n.endsWith('/requests.storage') || n.endsWith('/persistentvolumeclaims')))),
  usage(pvc) {
    const out: ResourceList = { persistentvolumeclaims: '1', 'count/persistentvolumeclaims': '1' };
    const shape = pvc as PvcShape;
    const requested = resourceList(shape.spec?.resources?.requests).storage;
    const allocated = resourceList(shape.status?.allocatedResources).storage;
    const storage = requested && allocated ? (compareQuantities(allocated, requested) > 0 ? allocated : requested) : (requested ?? allocated);
    const sc = pvcStorageClass(pvc);
    if (sc) out[`${sc}${storageClassSuffix}persistentvolumeclaims`] = '1';
    if (storage) {
      out['requests.storage'] = storage;
      if (sc) out[`${sc}${storageClassSuffix}requests.storage`] = storage;
    }
    return out;
  },
  matchesScope: () => false,
  constraints: () => undefined,
};

// ---- object counts -------------------------------------------------------------------------

// Resources whose count also has a legacy name without "count/".
const legacyCountNames: Record<string, string> = { configmaps: 'configmaps', secrets: 'secrets', resourcequotas: 'resourcequotas', replicationcontrollers: 'replicationcontrollers' };

export function objectCountEvaluator(group: string, resource: string): QuotaEvaluator {
  const names = [objectCountName(group, resource)];
  if (!group && legacyCountNames[resource]) names.push(legacyCountNames[resource]);
  return {
    group,
    resource,
    handles: (op, sub) => sub === '' && op === 'CREATE',
    matchingResources: (input) => input.filter((n) => names.includes(n)),
    usage: () => Object.fromEntries(names.map((n) => [n, '1'])),
    matchesScope: () => false,
    constraints: () => undefined,
  };
}

const specialized: Record<string, QuotaEvaluator> = { '/pods': podEvaluator, '/services': serviceEvaluator, '/persistentvolumeclaims': pvcEvaluator };

/** The evaluator for a group/resource: specialized for pods, services and claims; an object counter otherwise. */
export function evaluatorFor(group: string, resource: string): QuotaEvaluator {
  return specialized[`${group}/${resource}`] ?? objectCountEvaluator(group, resource);
}

/** The quota's scopes and scope selector as one list of requirements. */
export function quotaScopeSelectors(q: QuotaLike): ScopeSelectorRequirement[] {
  const out: ScopeSelectorRequirement[] = (q.spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' }));
  return out.concat(q.spec?.scopeSelector?.matchExpressions ?? []);
}

/** Whether the quota tracks this object: it limits one of the kind's resources and all its scopes select the object (generic.Matches). */
export function quotaMatches(q: QuotaLike, evaluator: QuotaEvaluator, obj: Obj): boolean {
  if (!evaluator.matchingResources(Object.keys(q.status?.hard ?? {})).length) return false;
  return quotaScopeSelectors(q).every((s) => evaluator.matchesScope(s, obj));
}

/** Whether the quota's scopes select the object (for usage sums, where the resource is already known to match). */
export function scopesSelect(q: QuotaLike, evaluator: QuotaEvaluator, obj: Obj): boolean {
  return quotaScopeSelectors(q).every((s) => evaluator.matchesScope(s, obj));
}
