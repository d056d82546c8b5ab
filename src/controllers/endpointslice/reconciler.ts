// The EndpointSlice reconciler (upstream staging k8s.io/endpointslice reconciler.go), as a pure
// function from (service, pods, nodes, existing slices) to a plan of creates, updates and
// deletes. It keeps churn low the way upstream does: endpoints stay in the slice they are in,
// slices are updated in place, new endpoints fill the fullest slices being updated anyway,
// then the existing slice that fits them best, and only then new slices; a slice about to be
// deleted is reused (renamed update) rather than deleting one and creating another.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { shouldPodBeInEndpoints, isIPv6, isServiceIPSet } from '../endpoints/pod-util.js';
import { headlessServiceLabel } from '../endpoints/subsets.js';
import { endpointKey, endpointPorts, endpointsEqualBeyondKey, podToEndpoint, portMapKey, type AddressType } from './endpoint.js';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const controllerName = 'endpointslice-controller.k8s.io';
export const defaultMaxEndpointsPerSlice = 100;

export interface ReconcileInput {
  service: Service;
  pods: Pod[];
  /** The slices labelled for this service and managed by this controller (none pending deletion). */
  existing: EndpointSlice[];
  getNode(name: string): Node | undefined;
  maxEndpointsPerSlice?: number;
}

export interface ReconcilePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Pods skipped because their node is unknown: the sync should be retried later. */
  errors: string[];
}

/** The address types a service's slices carry: its ipFamilies, else its cluster IP's family, else both (headless). */
export function addressTypesForService(svc: Service): AddressType[] {
  const types = new Set<AddressType>();
  for (const f of svc.spec?.ipFamilies ?? []) if (f === 'IPv4' || f === 'IPv6') types.add(f);
  if (types.size) return [...types];
  if (isServiceIPSet(svc)) return [isIPv6(svc.spec!.clusterIP) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((r) => r.uid === svc.metadata?.uid && r.kind === 'Service' && r.apiVersion === 'v1');
}

/** Reserved labels are the controller's; every other label mirrors the service's. */
const reservedLabels = new Set([serviceNameLabel, managedByLabel, headlessServiceLabel]);

/** The labels a slice of this service should carry, and whether the non-reserved ones differ from the slice's. */
export function sliceLabels(slice: EndpointSlice | undefined, svc: Service): { labels: Record<string, string>; changed: boolean } {
  const current: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice?.metadata?.labels ?? {})) if (!reservedLabels.has(k)) current[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (!reservedLabels.has(k)) labels[k] = v;
  const changed = Object.keys(current).length !== Object.keys(labels).length || Object.entries(labels).some(([k, v]) => current[k] !== v);
  if (!isServiceIPSet(svc)) labels[headlessServiceLabel] = '';
  labels[serviceNameLabel] = svc.metadata!.name!;
  labels[managedByLabel] = controllerName;
  return { labels, changed };
}

export function newEndpointSlice(svc: Service, ports: EndpointPort[], addressType: AddressType): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata!.name}-`,
      namespace: svc.metadata!.namespace,
      labels: sliceLabels(undefined, svc).labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

export function reconcile(input: ReconcileInput): ReconcilePlan {
  const plan: ReconcilePlan = { create: [], update: [], delete: [], errors: [] };
  const types = addressTypesForService(input.service);
  const byType = new Map<string, EndpointSlice[]>();
  for (const s of input.existing) {
    // Slices of an address type the service no longer has go.
    if (!types.includes(s.addressType as AddressType)) plan.delete.push(s);
    else byType.set(s.addressType, [...(byType.get(s.addressType) ?? []), s]);
  }
  for (const t of types) {
    const p = reconcileByAddressType(input, byType.get(t) ?? [], t);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
    plan.errors.push(...p.errors);
  }
  return plan;
}

function reconcileByAddressType(input: ReconcileInput, existing: EndpointSlice[], addressType: AddressType): ReconcilePlan {
  const { service } = input;
  const max = input.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice;
  const toDelete: EndpointSlice[] = [];
  const errors: string[] = [];
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!ownedBy(s, service)) {
      // Left by an earlier service of the same name: not ours to keep.
      toDelete.push(s);
      continue;
    }
    const k = portMapKey(s.ports);
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
  }

  const desired = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>();
  for (const pod of input.pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(service, pod);
    const pk = portMapKey(ports);
    let group = desired.get(pk);
    if (!group) desired.set(pk, (group = { ports, endpoints: new Map() }));
    const nodeName = pod.spec?.nodeName ?? '';
    const node = input.getNode(nodeName);
    if (!node && !service.spec?.publishNotReadyAddresses) {
      // A pod on an unknown node is left out (and the service retried) unless the user asked
      // for every address to be published.
      errors.push(`skipping Pod ${pod.metadata?.name} for Service ${service.metadata?.namespace}/${service.metadata?.name}: Node ${nodeName} Not Found`);
      continue;
    }
    const ep = podToEndpoint(pod, node, service, addressType);
    if (ep.addresses.length > 0) group.endpoints.set(endpointKey(ep), ep);
  }

  const create: EndpointSlice[] = [];
  const update: EndpointSlice[] = [];
  for (const [pk, group] of desired) {
    const r = reconcileByPortMapping(service, existingByPorts.get(pk) ?? [], group.endpoints, group.ports, addressType, max);
    create.push(...r.create);
    update.push(...r.update);
    toDelete.push(...r.delete);
  }
  // Port sets no pod offers any more.
  for (const [pk, slices] of existingByPorts) if (!desired.has(pk)) toDelete.push(...slices);

  // A service with no endpoints still gets one empty placeholder slice (kept if it exists).
  if (existing.length === toDelete.length && create.length === 0) {
    const placeholder = newEndpointSlice(service, [], addressType);
    if (toDelete.length === 1 && isPlaceholderLike(toDelete[0], placeholder)) toDelete.length = 0;
    else create.push(placeholder);
  }

  // Reuse slices about to be deleted for slices about to be created: an update instead of a pair.
  for (let i = 0; i < toDelete.length && create.length > 0; ) {
    const victim = toDelete[i];
    const slice = create[create.length - 1];
    if (victim.addressType === slice.addressType && ownedBy(victim, service)) {
      create.pop();
      update.push({ ...slice, metadata: { ...victim.metadata, labels: slice.metadata!.labels, ownerReferences: victim.metadata!.ownerReferences } });
      toDelete.splice(i, 1);
    } else {
      i++;
    }
  }
  return { create, update, delete: toDelete, errors };
}

function isPlaceholderLike(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  const a = slice.metadata?.labels ?? {};
  const b = placeholder.metadata?.labels ?? {};
  return (
    slice.metadata?.namespace === placeholder.metadata?.namespace &&
    Object.keys(a).length === Object.keys(b).length &&
    Object.entries(a).every(([k, v]) => b[k] === v) &&
    slice.addressType === placeholder.addressType &&
    (slice.endpoints ?? []).length === 0 &&
    (slice.ports ?? []).length === 0
  );
}

function reconcileByPortMapping(
  service: Service,
  existing: EndpointSlice[],
  desired: Map<string, Endpoint>,
  ports: EndpointPort[],
  addressType: AddressType,
  max: number,
): { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] } {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();

  // 1. Keep desired endpoints where they are (refreshed), drop the rest; note which slices change.
  for (const slice of existing) {
    const name = slice.metadata!.name!;
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let endpointChanged = false;
    for (const ep of slice.endpoints ?? []) {
      const k = endpointKey(ep);
      const want = desired.get(k);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondKey(want, ep)) endpointChanged = true;
      desired.delete(k);
    }
    const { labels, changed: labelsChanged } = sliceLabels(slice, service);
    if (endpointChanged || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.add(name);
      else {
        byName.set(name, { ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
        toUpdate.add(name);
      }
    } else if (labelsChanged) {
      byName.set(name, { ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels } });
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }

  const popInto = (slice: EndpointSlice) => {
    slice.endpoints ??= [];
    for (const [k, ep] of desired) {
      if (slice.endpoints.length >= max) break;
      slice.endpoints.push(ep);
      desired.delete(k);
    }
  };

  // 2. Fill the slices being updated anyway, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => (b.endpoints ?? []).length - (a.endpoints ?? []).length);
    for (const s of slices) popInto(s);
  }

  // 3. Put what is left in the unchanged slice that fits it most snugly, else in new slices.
  const create: EndpointSlice[] = [];
  while (desired.size > 0) {
    let target: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const best = bestFit([...unchanged].map((n) => byName.get(n)!), desired.size, max);
      if (best) {
        target = structuredClone(best);
        byName.set(target.metadata!.name!, target);
      }
    }
    target ??= newEndpointSlice(service, ports, addressType);
    popInto(target);
    if (target.metadata?.name) {
      toUpdate.add(target.metadata.name);
      unchanged.delete(target.metadata.name);
    } else {
      create.push(target);
    }
  }
  return { create, update: [...toUpdate].map((n) => byName.get(n)!), delete: [...toDelete].map((n) => byName.get(n)!) };
}

/** getSliceToFill: the slice that would be left with the least room after taking n endpoints. */
function bestFit(slices: EndpointSlice[], n: number, max: number): EndpointSlice | undefined {
  let closest = max;
  let best: EndpointSlice | undefined;
  for (const s of slices) {
    const diff = max - (n + (s.endpoints ?? []).length);
    if (diff >= 0 && diff < closest) {
      closest = diff;
      best = s;
      if (diff === 0) break;
    }
  }
  return best;
}
