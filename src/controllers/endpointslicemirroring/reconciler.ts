// What the EndpointSlice mirroring controller wants for one Endpoints object (upstream
// pkg/controller/endpointslicemirroring reconciler.go): every subset's addresses, grouped by
// address family and port set, become one EndpointSlice per group — at most
// maxEndpointsPerSubset addresses of each subset are mirrored, invalid IPs are skipped. An
// existing slice of a group is updated in place (extra ones deleted); a slice about to be deleted
// is reused instead of creating a new one. Pure: the controller applies the plan.
import { isIP } from 'node:net';
import type { EndpointAddress, Endpoints, EndpointPort as CorePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointKey, endpointsEqualBeyondKey, portMapKey, type AddressType } from '../endpointslice/endpoint.js';
import { managedByLabel, serviceNameLabel } from '../endpointslice/reconciler.js';
import { lastChangeTriggerTimeAnnotation } from '../endpoints/trigger-time.js';
import { semanticEqual } from '../endpoints/equal.js';

export const mirroringControllerName = 'endpointslicemirroring-controller.k8s.io';
export const skipMirrorLabel = 'endpointslice.kubernetes.io/skip-mirror';
/** Endpoints used as a leader-election lock carry this annotation and are never mirrored. */
export const leaderElectionAnnotation = 'control-plane.alpha.kubernetes.io/leader';
export const lastAppliedConfigAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** Upstream --mirroring-max-endpoints-per-subset default. */
export const defaultMaxEndpointsPerSubset = 1000;

export interface MirrorPlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Addresses that are not IPs (reported as an InvalidIPAddress event). */
  invalidAddresses: number;
  /** Addresses left out, invalid ones included (more than invalidAddresses → TooManyAddressesToMirror). */
  skippedAddresses: number;
}

interface Group {
  addressType: AddressType;
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

/** False for Endpoints the controller must leave alone: skip-mirror "true", or a leader-election lock. */
export function shouldMirror(ep: Endpoints | undefined): boolean {
  if (!ep) return false;
  return ep.metadata?.labels?.[skipMirrorLabel] !== 'true' && !(leaderElectionAnnotation in (ep.metadata?.annotations ?? {}));
}

function toSlicePorts(ports: CorePort[] | undefined): EndpointPort[] {
  return (ports ?? []).map((p) => {
    const out: EndpointPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
    if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
    return out;
  });
}

/** An Endpoints address as a slice endpoint, or undefined when it is not an IP. */
export function addressToEndpoint(address: EndpointAddress, ready: boolean): { endpoint: Endpoint; addressType: AddressType } | undefined {
  const family = isIP(address.ip ?? '');
  if (!family) return undefined;
  const endpoint: Endpoint = { addresses: [address.ip], conditions: { ready } };
  if (address.targetRef) endpoint.targetRef = address.targetRef;
  if (address.nodeName) endpoint.nodeName = address.nodeName;
  if (address.hostname) endpoint.hostname = address.hostname;
  return { endpoint, addressType: family === 6 ? 'IPv6' : 'IPv4' };
}

/** The labels and annotations a mirrored slice carries: the Endpoints' own, plus the two labels that tie it to the service. */
export function mirroredMetadata(ep: Endpoints): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels: Record<string, string> = { ...ep.metadata?.labels, [serviceNameLabel]: ep.metadata?.name ?? '', [managedByLabel]: mirroringControllerName };
  const annotations: Record<string, string> = { ...ep.metadata?.annotations };
  delete annotations[lastChangeTriggerTimeAnnotation];
  delete annotations[lastAppliedConfigAnnotation];
  return { labels, annotations };
}

function newSlice(ep: Endpoints, group: Group, current: EndpointSlice | undefined): EndpointSlice {
  const { labels, annotations } = mirroredMetadata(ep);
  const meta: NonNullable<EndpointSlice['metadata']> = {
    namespace: ep.metadata?.namespace,
    labels,
    annotations,
    ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: ep.metadata?.name ?? '', uid: ep.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
  };
  if (current?.metadata?.name) Object.assign(meta, { name: current.metadata.name, resourceVersion: current.metadata.resourceVersion });
  else meta.generateName = `${ep.metadata?.name ?? ''}-`;
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta, addressType: group.addressType, ports: group.ports, endpoints: [] };
}

const groupKey = (addressType: string, ports: EndpointPort[] | undefined) => `${addressType}/${portMapKey(ports)}`;

/** Whether an existing slice already holds exactly `group` with the metadata the Endpoints ask for. */
function upToDate(slice: EndpointSlice, group: Group, ep: Endpoints): boolean {
  const have = slice.endpoints ?? [];
  if (have.length !== group.endpoints.size) return false;
  for (const e of have) {
    const want = group.endpoints.get(endpointKey(e));
    if (!want || !endpointsEqualBeyondKey(want, e)) return false;
  }
  const { labels, annotations } = mirroredMetadata(ep);
  return semanticEqual(slice.metadata?.labels ?? {}, labels) && semanticEqual(slice.metadata?.annotations ?? {}, annotations);
}

export function reconcileMirror(ep: Endpoints, existing: EndpointSlice[], maxEndpointsPerSubset = defaultMaxEndpointsPerSubset): MirrorPlan {
  const groups = new Map<string, Group>();
  let invalidAddresses = 0;
  let skippedAddresses = 0;
  for (const subset of ep.subsets ?? []) {
    const ports = toSlicePorts(subset.ports);
    const all: [EndpointAddress, boolean][] = [...(subset.addresses ?? []).map((a) => [a, true] as [EndpointAddress, boolean]), ...(subset.notReadyAddresses ?? []).map((a) => [a, false] as [EndpointAddress, boolean])];
    let added = 0;
    for (const [address, ready] of all) {
      // One subset maps to at most one slice per family: the rest is not mirrored.
      if (added >= maxEndpointsPerSubset) break;
      const converted = addressToEndpoint(address, ready);
      if (!converted) {
        invalidAddresses++;
        continue;
      }
      const key = groupKey(converted.addressType, ports);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { addressType: converted.addressType, ports, endpoints: new Map() }));
      g.endpoints.set(endpointKey(converted.endpoint), converted.endpoint);
      added++;
    }
    skippedAddresses += all.length - added;
  }

  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const key = groupKey(s.addressType, s.ports ?? []);
    existingByKey.set(key, [...(existingByKey.get(key) ?? []), s]);
  }
  const plan: MirrorPlan = { create: [], update: [], delete: [], invalidAddresses, skippedAddresses };
  for (const [key, group] of groups) {
    const have = existingByKey.get(key) ?? [];
    existingByKey.delete(key);
    if (have.length) {
      plan.delete.push(...have.slice(1));
      if (upToDate(have[0], group, ep)) continue;
    }
    const slice = newSlice(ep, group, have[0]);
    slice.endpoints = [...group.endpoints.values()].slice(0, maxEndpointsPerSubset);
    if (have.length) plan.update.push(slice);
    else plan.create.push(slice);
  }
  // Port sets (or families) no longer present.
  for (const slices of existingByKey.values()) plan.delete.push(...slices);
  recycle(plan);
  return plan;
}

/** Turns a create plus a delete of the same family into an update of the slice to be deleted (upstream recycleSlices). */
function recycle(plan: MirrorPlan): void {
  const creates: EndpointSlice[] = [];
  for (const c of plan.create) {
    const i = plan.delete.findIndex((d) => d.addressType === c.addressType);
    if (i < 0) {
      creates.push(c);
      continue;
    }
    const [victim] = plan.delete.splice(i, 1);
    const meta = { ...c.metadata, name: victim.metadata?.name, resourceVersion: victim.metadata?.resourceVersion };
    delete meta.generateName;
    plan.update.push({ ...c, metadata: meta });
  }
  plan.create = creates;
}
