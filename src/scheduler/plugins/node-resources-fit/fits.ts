// Whether a pod's request fits what a node has left (upstream fit.go fitsRequest). Each shortage
// is one reason ("Insufficient cpu", …) in a fixed order: pods, cpu, memory, ephemeral-storage,
// then scalar resources. A shortage is "unresolvable" when the request exceeds the node's whole
// allocatable: evicting pods (preemption) cannot help then.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { podRequests, type Resource } from '../../framework/resource.js';

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  unresolvable: boolean;
}

export interface IgnoredResources {
  /** Extended resource names Filter does not check. */
  names: ReadonlySet<string>;
  /** Extended resource prefixes ("example.com" for example.com/gpu) Filter does not check. */
  groups: ReadonlySet<string>;
}

const noneIgnored: IgnoredResources = { names: new Set(), groups: new Set() };

/**
 * Upstream v1helper.IsExtendedResourceName: a domain-prefixed name outside kubernetes.io, e.g.
 * example.com/gpu (hugepages-* and kubernetes.io/* are native and never ignored).
 */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes('/') || name.includes('kubernetes.io/')) return false;
  return !name.startsWith('requests.');
}

const none: readonly InsufficientResource[] = Object.freeze([]);

/** The shortages, in upstream's order; a shared empty array when the pod fits (Filter's hot path allocates nothing). */
export function fitsRequest(podRequest: Resource, nodeInfo: NodeInfo, ignored: IgnoredResources = noneIgnored): readonly InsufficientResource[] {
  if (quickFits(podRequest, nodeInfo, ignored)) return none;
  const out: InsufficientResource[] = [];
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  const podCount = nodeInfo.pods.length;
  if (podCount + 1 > alloc.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: podCount, capacity: alloc.allowedPodNumber, unresolvable: false });
  }
  if (podRequest.milliCPU === 0 && podRequest.memory === 0 && podRequest.ephemeralStorage === 0 && podRequest.scalar.size === 0) return out;
  if (podRequest.milliCPU > 0 && podRequest.milliCPU > alloc.milliCPU - used.milliCPU) {
    out.push({ resourceName: 'cpu', reason: 'Insufficient cpu', requested: podRequest.milliCPU, used: used.milliCPU, capacity: alloc.milliCPU, unresolvable: podRequest.milliCPU > alloc.milliCPU });
  }
  if (podRequest.memory > 0 && podRequest.memory > alloc.memory - used.memory) {
    out.push({ resourceName: 'memory', reason: 'Insufficient memory', requested: podRequest.memory, used: used.memory, capacity: alloc.memory, unresolvable: podRequest.memory > alloc.memory });
  }
  if (podRequest.ephemeralStorage > 0 && podRequest.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    out.push({
      resourceName: 'ephemeral-storage',
      reason: 'Insufficient ephemeral-storage',
      requested: podRequest.ephemeralStorage,
      used: used.ephemeralStorage,
      capacity: alloc.ephemeralStorage,
      unresolvable: podRequest.ephemeralStorage > alloc.ephemeralStorage,
    });
  }
  for (const [name, quantity] of podRequest.scalar) {
    if (quantity === 0) continue;
    if (isExtendedResourceName(name) && (ignored.names.has(name) || (ignored.groups.size > 0 && ignored.groups.has(name.split('/')[0]!)))) continue;
    const capacity = alloc.scalar.get(name) ?? 0;
    const inUse = used.scalar.get(name) ?? 0;
    if (quantity > capacity - inUse) {
      out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: quantity, used: inUse, capacity, unresolvable: quantity > capacity });
    }
  }
  return out;
}

/** True when nothing is short: the same tests as below, without building reasons. */
function quickFits(req: Resource, nodeInfo: NodeInfo, ignored: IgnoredResources): boolean {
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) return false;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) return false;
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) return false;
  if (req.scalar.size === 0) return true;
  for (const [name, q] of req.scalar) {
    if (q === 0) continue;
    if (isExtendedResourceName(name) && (ignored.names.has(name) || (ignored.groups.size > 0 && ignored.groups.has(name.split('/')[0]!)))) continue;
    if (q > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) return false;
  }
  return true;
}

/** Upstream noderesources.Fits: the shortages of `pod` on `nodeInfo`, nothing ignored. */
export function fits(pod: Pod, nodeInfo: NodeInfo): readonly InsufficientResource[] {
  return fitsRequest(podRequests(pod), nodeInfo);
}
