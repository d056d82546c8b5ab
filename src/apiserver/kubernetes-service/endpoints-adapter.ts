// Reads and writes the `kubernetes` Endpoints and keeps the EndpointSlice of the same name in step
// with it (upstream: pkg/controlplane/reconcilers/endpointsadapter.go). Like upstream's, it only
// handles what the reconciler writes: one subset, one set of ports, a few addresses, so one
// Endpoints maps to one EndpointSlice. Writes go through the generic store as the API server's own
// (admission and validation included), as upstream's go through its loopback client.
import { isDeepStrictEqual } from 'node:util';
import { isIPv6 } from 'node:net';
import type { Endpoints, EndpointAddress } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { copyJson } from '../../api/json-copy.js';
import type { KubeObject } from '../../api/object.js';
import { StatusError } from '../../api/status.js';
import { systemContext } from '../registry/context.js';
import type { GenericStore } from '../registry/generic-store.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';

const namespace = 'default';
export const serviceNameLabel = 'kubernetes.io/service-name';
export const skipMirrorLabel = 'endpointslice.kubernetes.io/skip-mirror';

const sliceObject = (slice: EndpointSlice): KubeObject => slice as unknown as KubeObject;

function isStatus(err: unknown, code: number): boolean {
  return err instanceof StatusError && err.code === code;
}

export class EndpointsAdapter {
  private readonly endpoints: ResourceEntry;
  private readonly slices: ResourceEntry;

  constructor(private readonly generic: GenericStore, registry: ResourceRegistry) {
    const find = (group: string, plural: string) => {
      const entry = registry.find(group, 'v1', plural);
      if (!entry) throw new Error(`endpoint reconciler: ${group || 'core'}/v1 ${plural} is not served`);
      return entry;
    };
    this.endpoints = find('', 'endpoints');
    this.slices = find('discovery.k8s.io', 'endpointslices');
  }

  /**
   * Writes the Endpoints `name` as `change` wants it: `change` gets a copy of the current object
   * (or a new one without subsets) and returns what to write, or undefined when it is right.
   * The write is conditional on what was read: another server's write in between is a 409 for
   * the caller to start over on (upstream returns it to the next pass). Resolves with the
   * Endpoints as stored and whether it was written.
   */
  async write(name: string, change: (e: Endpoints) => Endpoints | undefined): Promise<{ endpoints: Endpoints; changed: boolean }> {
    let current: Endpoints | undefined;
    try {
      current = (await this.generic.get(this.endpoints, namespace, name)) as Endpoints;
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
    // The watch cache's object is shared: `change` gets a copy.
    const next = change(current ? copyJson(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } });
    if (!next) return { endpoints: current!, changed: false };
    const written = current
      ? await this.generic.update(this.endpoints, namespace, name, '', systemContext(), () => next as KubeObject)
      : await this.generic.create(this.endpoints, namespace, next as KubeObject, systemContext());
    return { endpoints: written as Endpoints, changed: true };
  }

  /** Creates or updates the EndpointSlice named as the Endpoints, writing only when it differs. */
  async ensureEndpointSlice(e: Endpoints): Promise<void> {
    const want = endpointSliceFromEndpoints(e);
    const name = want.metadata!.name!;
    let current: EndpointSlice | undefined;
    try {
      current = (await this.generic.get(this.slices, namespace, name)) as unknown as EndpointSlice;
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
    if (!current) {
      try {
        await this.generic.create(this.slices, namespace, sliceObject(want), systemContext());
        return;
      } catch (err) {
        // Another server created it first: that one is brought in line below.
        if (!isStatus(err, 409)) throw err;
      }
      current = (await this.generic.get(this.slices, namespace, name)) as unknown as EndpointSlice;
    }
    // addressType cannot change: a slice of the other family is replaced.
    if (current.addressType !== want.addressType) {
      await this.generic.delete(this.slices, namespace, name, {}, systemContext());
      await this.generic.create(this.slices, namespace, sliceObject(want), systemContext());
      return;
    }
    if (
      isDeepStrictEqual(current.endpoints ?? [], want.endpoints ?? []) &&
      isDeepStrictEqual(current.ports ?? [], want.ports ?? []) &&
      isDeepStrictEqual(current.metadata?.labels ?? {}, want.metadata!.labels)
    ) {
      return;
    }
    await this.generic.update(this.slices, namespace, name, '', systemContext(), (cur) => ({
      ...cur,
      metadata: { ...cur.metadata, labels: want.metadata!.labels },
      endpoints: want.endpoints,
      ports: want.ports,
    }));
  }
}

/**
 * The slice for an Endpoints of one subset: its ports, and its addresses of the slice's family
 * (IPv6 when every address is, else IPv4) as ready endpoints, its not-ready ones as not ready.
 * Labelled with the service name only: no controller manages this slice.
 */
export function endpointSliceFromEndpoints(e: Endpoints): EndpointSlice {
  const subset = e.subsets?.[0];
  const all = [...(subset?.addresses ?? []), ...(subset?.notReadyAddresses ?? [])];
  const addressType = all.length > 0 && all.every((a) => isIPv6(a.ip)) ? 'IPv6' : 'IPv4';
  const fromAddresses = (addresses: EndpointAddress[] | undefined, ready: boolean): Endpoint[] =>
    (addresses ?? [])
      .filter((a) => isIPv6(a.ip) === (addressType === 'IPv6'))
      .map((a) => ({
        addresses: [a.ip],
        conditions: { ready },
        ...(a.targetRef ? { targetRef: a.targetRef } : {}),
        ...(a.nodeName ? { nodeName: a.nodeName } : {}),
      }));
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: e.metadata!.name, namespace, labels: { [serviceNameLabel]: e.metadata!.name! } },
    addressType,
    endpoints: [...fromAddresses(subset?.addresses, true), ...fromAddresses(subset?.notReadyAddresses, false)],
    ...(subset?.ports ? { ports: subset.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })) } : {}),
  };
}
