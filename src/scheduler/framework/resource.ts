// Resource arithmetic as the scheduler does it (upstream framework.Resource and
// resource helpers): CPU in millicores, memory and storage in bytes, everything else
// ("scalar" resources: extended, hugepages, attachable volumes) in whole units (milli for
// none: extended resources are integers). A pod's request is computed as the kubelet will
// admit it: max(sum of regular containers + restartable sidecars, each init container in
// order with the sidecars started before it) + overhead.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { boundedMemo } from '../../api/bounded-memo.js';
import { toMilli, toValue } from '../../api/validation/quantity.js';

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Pod count (only meaningful for allocatable). */
  allowedPodNumber: number;
  /** Extended resources, hugepages-*, attachable-volumes-*: name → whole units. */
  scalar: Map<string, number>;
}

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

/** Upstream's non-zero defaults for containers that request nothing (used in scoring and spreading). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/**
 * The scalar map of every Resource without scalar resources (nearly all of them): one shared
 * instance, since a Map each would be most of a small Resource's memory, for every pod the
 * scheduler caches and several times per cycle. Read-only: the functions below give a Resource
 * its own Map before its first scalar is written.
 */
class NoScalars extends Map<string, number> {
  override set(): this {
    throw new Error('the shared empty scalar map is read-only');
  }
  override delete(): boolean {
    throw new Error('the shared empty scalar map is read-only');
  }
  override clear(): void {
    throw new Error('the shared empty scalar map is read-only');
  }
}
const NO_SCALARS: Map<string, number> = new NoScalars();

/** r's scalar map, made its own if it is the shared empty one, to write to. */
function writableScalars(r: Resource): Map<string, number> {
  if (r.scalar === NO_SCALARS) r.scalar = new Map();
  return r.scalar;
}

const copyScalars = (m: Map<string, number>): Map<string, number> => (m.size ? new Map(m) : NO_SCALARS);

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: NO_SCALARS };
}

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: copyScalars(r.scalar) };
}

/** From a ResourceList (allocatable, or a container's requests). */
export function resourceFromList(list: Record<string, string | number> | undefined): Resource {
  const r = emptyResource();
  if (list) for (const [name, q] of Object.entries(list)) addNamed(r, name, q);
  return r;
}

// Parsed quantities by their text. Every pod's requests are parsed several times in its life
// (queue, PreFilter, PreScore, assume, the informer's confirmation) and a cluster uses few
// distinct strings ("100m", "500Mi"), so parsing becomes a map lookup. Bounded: cleared when full.
const memoMilli = boundedMemo(4096, toMilli);
const memoValue = boundedMemo(4096, toValue);

function addNamed(r: Resource, name: string, q: string | number, sign = 1): void {
  const text = typeof q === 'string' ? q : String(q);
  switch (name) {
    case CPU:
      r.milliCPU += sign * memoMilli(text);
      break;
    case MEMORY:
      r.memory += sign * memoValue(text);
      break;
    case EPHEMERAL_STORAGE:
      r.ephemeralStorage += sign * memoValue(text);
      break;
    case PODS:
      r.allowedPodNumber += sign * memoValue(text);
      break;
    default:
      if (isScalarResourceName(name)) writableScalars(r).set(name, (r.scalar.get(name) ?? 0) + sign * memoValue(text));
  }
}

/** Extended resources (example.com/gpu), prefixed native ones (kubernetes.io/x), hugepages-*, attachable-volumes-*. */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  return name.includes('/') && !name.startsWith('requests.');
}

export function addResource(into: Resource, r: Resource): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  into.allowedPodNumber += r.allowedPodNumber;
  if (r.scalar.size) for (const [k, v] of r.scalar) writableScalars(into).set(k, (into.scalar.get(k) ?? 0) + v);
}

export function subtractResource(from: Resource, r: Resource): void {
  from.milliCPU -= r.milliCPU;
  from.memory -= r.memory;
  from.ephemeralStorage -= r.ephemeralStorage;
  from.allowedPodNumber -= r.allowedPodNumber;
  if (r.scalar.size) for (const [k, v] of r.scalar) writableScalars(from).set(k, (from.scalar.get(k) ?? 0) - v);
}

/** Copies r's values into `into` (no allocation unless either has scalar resources). */
export function assignResource(into: Resource, r: Resource): void {
  into.milliCPU = r.milliCPU;
  into.memory = r.memory;
  into.ephemeralStorage = r.ephemeralStorage;
  into.allowedPodNumber = r.allowedPodNumber;
  if (r.scalar.size || into.scalar.size) into.scalar = copyScalars(r.scalar);
}

/** Element-wise max into `into`. */
export function maxResource(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalar) writableScalars(into).set(k, Math.max(into.scalar.get(k) ?? 0, v));
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = emptyResource();
  addContainerRequests(r, c, nonZero);
  return r;
}

/** Adds a container's requests to r (with the non-zero defaults for cpu/memory it does not request). */
function addContainerRequests(r: Resource, c: Container, nonZero: boolean): void {
  const req = c.resources?.requests as Record<string, string> | undefined;
  if (req) for (const name in req) addNamed(r, name, req[name]!);
  if (nonZero) {
    if (req?.[CPU] === undefined) r.milliCPU += DEFAULT_MILLI_CPU_REQUEST;
    if (req?.[MEMORY] === undefined) r.memory += DEFAULT_MEMORY_REQUEST;
  }
}

const isSidecar = (c: Container) => c.restartPolicy === 'Always';

/**
 * The pod's effective request (upstream resource.PodRequests): regular containers and sidecars
 * run together; each init container runs with the sidecars declared before it; the pod needs
 * the larger of the two, plus spec.overhead. With `nonZero`, containers that request no cpu or
 * memory count as 100m / 200Mi (upstream's NonZero requests, used for scoring only).
 */
export function podRequests(pod: Pod, opts: { nonZero?: boolean } = {}): Resource {
  const nonZero = opts.nonZero ?? false;
  const spec = pod.spec;
  const total = emptyResource();
  if (!spec) return total;
  // Regular containers add straight into the total (the common pod has nothing else).
  const containers = spec.containers;
  if (containers) for (let i = 0; i < containers.length; i++) addContainerRequests(total, containers[i]!, nonZero);
  if (!spec.initContainers?.length) {
    if (spec.overhead) addResource(total, resourceFromList(spec.overhead as Record<string, string>));
    return total;
  }
  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (isSidecar(c)) {
      addResource(sidecars, r);
      // A sidecar keeps running beside every later init container and the regular containers.
      maxResource(initMax, sidecars);
    } else {
      const during = cloneResource(sidecars);
      addResource(during, r);
      maxResource(initMax, during);
    }
  }
  addResource(total, sidecars);
  maxResource(total, initMax);
  if (spec.overhead) addResource(total, resourceFromList(spec.overhead as Record<string, string>));
  return total;
}
